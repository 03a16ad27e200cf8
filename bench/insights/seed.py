"""Fill a database with N patients × 365 diary days, all in SQL (seconds, not minutes).

Every patient has a plan 1.5 → 3.0 → 4.5 mg a week apart starting 28 days into the year
(so the diary holds a baseline month), a dose log from then on (92 % of days taken), and a
diary on about 93 % of days (75 % for every tenth patient). Patients differ by id: a
quarter respond well, a quarter barely, a quarter partly, and a quarter have
fibromyalgia. Headache days carry acute medicines on most moderate or severe days; side
effects appear on about 6 % of days. ``setseed`` makes the data the same on every run.

pghistory's triggers (and FK checks) are off while loading (`session_replication_role`):
the history of a bulk load is not what this benchmark measures.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg

DAYS = 365
FIRST_DOSE_AFTER = 28

SEED_SQL = """
SELECT setseed(0.42);
INSERT INTO diary_clinic (name, created_at) VALUES ('Bench clinic', now());
INSERT INTO diary_user (password, is_superuser, email, display_name, is_active, is_staff, date_joined)
VALUES ('!', false, 'bench-clinician@example.org', 'Bench clinician', true, false, now());
INSERT INTO diary_clinician (user_id, clinic_id, created_at, is_clinic_admin)
SELECT u.id, c.id, now(), false FROM diary_user u, diary_clinic c;

INSERT INTO diary_user (password, is_superuser, email, display_name, is_active, is_staff, date_joined)
SELECT '!', false, 'bench-patient-' || g || '@example.org', 'Patient ' || g, true, false, now()
FROM generate_series(1, %(patients)s) g;

INSERT INTO diary_patient (public_id, user_id, time_zone, day_boundary, primary_condition,
                           condition_set_by, condition_set_by_name, preferred_dose_time, change_seq,
                           insights_failures, created_at)
SELECT gen_random_uuid(), u.id, 'Europe/Berlin', '04:00',
       CASE WHEN u.id %% 4 = 0 THEN 'fibromyalgia' ELSE 'migraine' END, '', '', 'bedtime', 1, 0, now()
FROM diary_user u WHERE u.email LIKE 'bench-patient-%%' ORDER BY u.id;

INSERT INTO diary_doseplan (patient_id, drug, target_mg, decision_weeks, created_by_id,
                            created_at, updated_at, stop_note)
SELECT p.id, 'naltrexone', 4.5, 12, (SELECT min(id) FROM diary_clinician), now(), now(), ''
FROM diary_patient p;

INSERT INTO diary_dosestep (plan_id, start_date, mg, time_of_day)
SELECT pl.id, %(d0)s::date + s.off, s.mg, 'bedtime'
FROM diary_doseplan pl, (VALUES (0, 1.5), (7, 3.0), (14, 4.5)) AS s(off, mg);

-- improvement: how much better than baseline a patient is on a day (ramping up over 30 days)
CREATE TEMP TABLE bench_days AS
SELECT p.id AS patient_id, d::date AS day,
       CASE p.id %% 4 WHEN 1 THEN 0.65 WHEN 2 THEN 0.05 WHEN 3 THEN 0.35 ELSE 0.40 END
         * LEAST(1.0, GREATEST(0.0, (d::date - %(d0)s::date) / 30.0)) AS better,
       random() AS r_logged, random() AS r_headache, random() AS r_level, random() AS r_pain,
       random() AS r_sleep, random() AS r_migraine, random() AS r_features,
       CASE WHEN p.id %% 10 = 9 THEN 0.75 ELSE 0.93 END AS compliance
FROM diary_patient p, generate_series(%(start)s::date, %(end)s::date, interval '1 day') d;

INSERT INTO diary_diaryentry (patient_id, date, pain_score, headache, migraine, sleep_quality,
    headache_hours, one_sided, pulsating, worse_with_activity, nausea_vomiting,
    light_sensitivity, sound_sensitivity, aura_minutes, note, version, late, seq,
    created_at, updated_at)
SELECT patient_id, day, pain, headache,
       CASE WHEN headache >= 2 THEN r_migraine < 0.6 ELSE false END,
       LEAST(10, GREATEST(0, round(4 + 4 * better + 3 * r_sleep)))::int,
       CASE WHEN headache > 0 THEN round((1 + 10 * r_features)::numeric, 1) END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.7 END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.6 END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.5 END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.5 END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.6 END,
       CASE WHEN headache > 0 AND r_features < 0.3 THEN r_migraine < 0.6 END,
       CASE WHEN headache > 0 AND r_features < 0.05 THEN 20 END,
       '', 1, false, 0, now(), now()
FROM (
  SELECT *,
         CASE WHEN r_headache < 0.45 * (1 - better) THEN 1 + floor(r_level * 3)::int ELSE 0 END AS headache,
         LEAST(10, GREATEST(0, round(6 * (1 - better) + 4 * r_pain - 2)))::int AS pain
  FROM bench_days WHERE r_logged < compliance
) days;

INSERT INTO diary_sideeffect (entry_id, kind, severity, limited_activities, other_text)
SELECT e.id,
       (ARRAY['vivid_dreams','insomnia','headache','nausea','diarrhea','abdominal_discomfort',
              'dizziness','fatigue','jitteriness','hot_flashes','irritability','anxiety'])
         [1 + floor(random() * 12)::int],
       1 + floor(random() * 3)::int, random() < 0.1, ''
FROM diary_diaryentry e WHERE e.date >= %(d0)s::date AND random() < 0.06;

INSERT INTO diary_acutemedication (entry_id, med_class, name, for_headache, contains_opioid)
SELECT e.id, m.cls, '', true, m.cls = 'opioid'
FROM diary_diaryentry e
CROSS JOIN LATERAL (SELECT random() AS r) x
CROSS JOIN LATERAL (
  SELECT CASE WHEN x.r < 0.45 THEN 'non_opioid_analgesic' WHEN x.r < 0.8 THEN 'triptan'
              WHEN x.r < 0.99 THEN 'combination_analgesic' ELSE 'opioid' END AS cls
) m
WHERE e.headache >= 2 AND random() < 0.6;

INSERT INTO diary_doselog (public_id, patient_id, date, taken, mg, time_of_day, client_id, seq,
                           created_at, updated_at)
SELECT gen_random_uuid(), patient_id, day, taken,
       CASE WHEN taken THEN CASE WHEN day < %(d0)s::date + 7 THEN 1.5
                                 WHEN day < %(d0)s::date + 14 THEN 3.0 ELSE 4.5 END END,
       'bedtime', gen_random_uuid(), 0, now(), now()
FROM (SELECT patient_id, day, r_pain < 0.92 AS taken FROM bench_days
      WHERE day >= %(d0)s::date AND r_sleep < 0.97) d;
DROP TABLE bench_days;
"""

TABLES = (
    "diary_user",
    "diary_patient",
    "diary_doseplan",
    "diary_dosestep",
    "diary_diaryentry",
    "diary_sideeffect",
    "diary_acutemedication",
    "diary_doselog",
)


def seed(dsn: str, patients: int, today: date) -> dict[str, int]:
    """Load the data; returns the row count of each table."""
    start = today - timedelta(days=DAYS - 1)
    params = {"patients": patients, "start": start, "end": today, "d0": start + timedelta(days=FIRST_DOSE_AFTER)}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.transaction():
            for statement in SEED_SQL.split(";\n"):
                if statement.strip():
                    conn.execute(statement, params)
        conn.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        counts = {}
        for table in TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts
