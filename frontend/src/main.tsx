import { render } from "preact";
import { App, firstSession } from "./app";
import { t } from "./strings";
import "./styles.css";

// A phone that must ask the server who is signed in says "Loading" if that takes a
// while; one that knows (offline, from the snapshot in the shell) draws the page as its
// first frame, with no "Loading" frame and no second render before it.
const LOADING_AFTER_MS = 300;

const root = document.getElementById("app")!;
let started = false;
void firstSession.then((first) => {
  started = true;
  render(<App first={first} />, root);
  registerWorker();
});
window.setTimeout(() => {
  if (!started)
    render(
      <main id="main">
        <p class="center">{t.loading}</p>
      </main>,
      root,
    );
}, LOADING_AFTER_MS);

/** Once the page has loaded (its first visit should not share the network with the
 * worker's precaching), and in a task after the first render's (the call takes the
 * page's main thread a while on a slow phone). */
function registerWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  const register = () =>
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // No service worker (e.g. a private window): the app still works online.
    });
  if (document.readyState === "complete") window.setTimeout(register, 0);
  else window.addEventListener("load", () => void register());
}
