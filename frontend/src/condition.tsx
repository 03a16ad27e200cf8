// The primary condition in plain words (it chooses how LDN's effect is judged, CLINICAL.md
// §6), at sign-up and on the Me page; "Not sure" leaves it to the clinician.
import { RadioGroup } from "./radio";
import { CONDITIONS } from "./rules.gen";
import { t } from "./strings";

export function ConditionPicker(props: {
  value: string | null;
  onPick: (value: string) => void;
  invalid?: boolean;
  describedBy?: string;
  hideLegend?: boolean; // a heading above already asks the question
}) {
  return (
    <RadioGroup
      legend={props.hideLegend ? <span class="visually-hidden">{t.conditionQuestion}</span> : t.conditionQuestion}
      options={CONDITIONS.map((c) => ({ value: c as string, label: t.conditions[c], hint: t.conditionHints[c] || undefined }))}
      value={props.value}
      onPick={props.onPick}
      layout="list"
      wide
      invalid={props.invalid}
      describedBy={props.describedBy}
      testId="condition-choice"
    />
  );
}
