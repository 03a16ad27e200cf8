// The "Me" tab: a thin list of sections, each in its own file (and its own feature).
import type { WhoAmI } from "../types";
import { CareLinks } from "./CareLinks";
import { MyData } from "./MyData";

export interface MeProps {
  who: WhoAmI;
  onSignOut: () => void;
}

export function Me({ who, onSignOut }: MeProps) {
  return (
    <div class="stack">
      <CareLinks />
      <MyData who={who} onDeleted={onSignOut} />
    </div>
  );
}
