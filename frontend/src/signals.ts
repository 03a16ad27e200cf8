// Notes the shell and the pages leave each other across a sign-out (sessionStorage keys).
export const DELETED_FLAG = "ldn-account-deleted"; // set by the Me tab after deleting the account
