// Keyboard-friendly choices (WAI-ARIA Authoring Practices): a radio group is one tab stop,
// the arrow keys move the choice (Home and End jump), Space or a tap picks; a toolbar of
// toggle buttons (the side-effect chips) is one tab stop too, the arrows move the focus
// and Space toggles. A day by keyboard is then a few presses per question, not one Tab
// per option.
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";

let nextId = 0;
function useId(prefix: string): string {
  const id = useRef<string>("");
  if (!id.current) id.current = `${prefix}-${++nextId}`;
  return id.current;
}

const NEXT = new Set(["ArrowRight", "ArrowDown"]);
const PREVIOUS = new Set(["ArrowLeft", "ArrowUp"]);

/** Where an arrow key, Home or End moves from `i` among `n` items (null: not such a key). */
function moved(key: string, i: number, n: number): number | null {
  if (NEXT.has(key)) return (i + 1) % n;
  if (PREVIOUS.has(key)) return (i - 1 + n) % n;
  if (key === "Home") return 0;
  if (key === "End") return n - 1;
  return null;
}

/** Which of `list`'s buttons an event came from (its place among them), if any. A group
 * listens once for all its buttons: Today draws some forty of them as the app opens, and
 * two listeners and a ref each were a good part of that first render's work. */
function buttonIndex(list: HTMLElement | null, e: Event): number | null {
  const button = (e.target as Element | null)?.closest("button");
  if (!list || !button || button.parentElement !== list) return null;
  const i = Array.prototype.indexOf.call(list.children, button);
  return i >= 0 ? i : null;
}

export interface Option<T> {
  value: T;
  label: ComponentChildren;
  hint?: string; // shown under the label, and read as the option's description
}

export function RadioGroup<T>(props: {
  legend: ComponentChildren;
  options: Option<T>[];
  value: T | null;
  onPick: (value: T) => void;
  layout?: string; // the grid class of the choices (n2, n4, n11, list)
  wide?: boolean;
  describedBy?: string;
  invalid?: boolean;
  testId?: string;
}) {
  const { legend, options, value, onPick, layout = "", wide = false, describedBy, invalid, testId } = props;
  const id = useId("rg");
  const list = useRef<HTMLDivElement>(null);
  const checked = options.findIndex((o) => o.value === value);
  const stop = checked >= 0 ? checked : 0;
  const keyDown = (e: KeyboardEvent) => {
    const i = buttonIndex(list.current, e);
    const j = i === null ? null : moved(e.key, i, options.length);
    if (j === null) return;
    e.preventDefault();
    onPick(options[j].value);
    (list.current?.children[j] as HTMLElement | undefined)?.focus();
  };
  const click = (e: MouseEvent) => {
    const i = buttonIndex(list.current, e);
    if (i !== null) onPick(options[i].value);
  };
  return (
    <div
      class="scale"
      role="radiogroup"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
      aria-invalid={invalid ? "true" : undefined}
      data-testid={testId}
    >
      <p class="glabel" id={`${id}-label`}>
        {legend}
      </p>
      <div class={`choices ${layout}`} ref={list} onClick={click} onKeyDown={keyDown}>
        {options.map((o, i) => (
          <button
            type="button"
            role="radio"
            class={wide ? "choice wide" : "choice"}
            aria-checked={i === checked}
            aria-labelledby={o.hint ? `${id}-${i}` : undefined}
            aria-describedby={o.hint ? `${id}-${i}-hint` : undefined}
            tabIndex={i === stop ? 0 : -1}
          >
            {o.hint ? (
              <>
                <span class="opt" id={`${id}-${i}`}>
                  {o.label}
                </span>
                <span class="hint" id={`${id}-${i}-hint`}>
                  {o.hint}
                </span>
              </>
            ) : (
              o.label
            )}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Toggle buttons (aria-pressed) behind one tab stop: the arrows move between them. */
export function ToggleBar<K extends string>(props: {
  label: ComponentChildren;
  items: { key: K; label: string; pressed: boolean }[];
  onToggle: (key: K) => void;
}) {
  const { label, items, onToggle } = props;
  const id = useId("tb");
  const list = useRef<HTMLDivElement>(null);
  const focused = useRef(0);
  const keyDown = (e: KeyboardEvent) => {
    const i = buttonIndex(list.current, e);
    const j = i === null ? null : moved(e.key, i, items.length);
    if (j === null) return;
    e.preventDefault();
    focused.current = j;
    const buttons = Array.from(list.current?.children ?? []) as HTMLElement[];
    buttons.forEach((b, k) => b.setAttribute("tabindex", k === j ? "0" : "-1"));
    buttons[j]?.focus();
  };
  return (
    <div class="scale" role="toolbar" aria-labelledby={`${id}-label`}>
      <p class="glabel" id={`${id}-label`}>
        {label}
      </p>
      <div
        class="chips"
        ref={list}
        onFocusIn={(e) => {
          const i = buttonIndex(list.current, e);
          if (i !== null) focused.current = i;
        }}
        onClick={(e) => {
          const i = buttonIndex(list.current, e);
          if (i !== null) onToggle(items[i].key);
        }}
        onKeyDown={keyDown}
      >
        {items.map((item, i) => (
          <button type="button" class="chip" aria-pressed={item.pressed} tabIndex={i === focused.current ? 0 : -1}>
            {item.label}
          </button>
        ))}
      </div>
    </div>
  );
}
