// The acute medicines of a diary day: class, name, an opioid in a combination (pre-ticked
// when the name suggests one), whether it was for a headache, and the opioid warning.
import type { RefObject } from "preact";
import { RadioGroup } from "../radio";
import { t } from "../strings";
import { MEDICINE_CLASSES, medicineClass, nameSuggestsOpioid, type Medicine } from "../types";
import { alwaysHeadache } from "./todayModel";
import { OpioidWarning } from "./TodayParts";

export function Medicines(props: {
  meds: Medicine[];
  headacheDefault: boolean;
  opioid: boolean;
  opioidBox: RefObject<HTMLElement>;
  onChange: (meds: Medicine[]) => void;
}) {
  const { meds, headacheDefault, opioid, opioidBox, onChange } = props;
  const updateMed = (i: number, change: Partial<Medicine>) =>
    onChange(
      meds.map((m, j) => {
        if (j !== i) return m;
        const next = { ...m, ...change };
        if (change.name !== undefined && next.med_class === "combination_analgesic" && nameSuggestsOpioid(next.name)) {
          next.contains_opioid = true; // pre-ticked (CLINICAL.md §11.3)
        }
        if (change.med_class !== undefined) {
          next.contains_opioid =
            next.med_class === "opioid" ? true : next.med_class === "combination_analgesic" && nameSuggestsOpioid(next.name) ? true : null;
        }
        return next;
      }),
    );
  return (
    <fieldset class="scale">
      <legend>{t.medicines}</legend>
      {meds.map((m, i) => (
        <div class="med stack">
          <label class="field">
            <span>{t.medicineClass}</span>
            <select value={m.med_class} onChange={(e) => updateMed(i, { med_class: medicineClass(e.currentTarget.value, m.med_class) })}>
              {MEDICINE_CLASSES.map((c) => (
                <option value={c}>{t.medicineClasses[c]}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t.medicineName}</span>
            <input maxLength={100} value={m.name} onInput={(e) => updateMed(i, { name: e.currentTarget.value })} />
          </label>
          {m.med_class === "combination_analgesic" ? (
            <label class="check">
              <input type="checkbox" checked={m.contains_opioid === true} onChange={(e) => updateMed(i, { contains_opioid: e.currentTarget.checked })} />
              <span>{t.containsOpioid}</span>
            </label>
          ) : null}
          {alwaysHeadache(m.med_class) ? (
            <p class="muted small">{t.alwaysForHeadache}</p>
          ) : (
            <RadioGroup
              legend={t.forHeadache}
              options={[
                { value: true, label: t.yes },
                { value: false, label: t.forSomethingElse },
              ]}
              value={m.for_headache ?? headacheDefault}
              onPick={(v) => updateMed(i, { for_headache: v })}
              layout="n2"
              wide
            />
          )}
          <button type="button" class="link" onClick={() => onChange(meds.filter((_, j) => j !== i))}>
            {t.removeMedicine}
          </button>
        </div>
      ))}
      {opioid ? <OpioidWarning box={opioidBox} /> : null}
      <button
        type="button"
        class="secondary"
        onClick={() =>
          onChange([
            ...meds,
            { med_class: "non_opioid_analgesic", name: "", for_headache: headacheDefault, contains_opioid: null },
          ])
        }
      >
        {t.addMedicine}
      </button>
    </fieldset>
  );
}
