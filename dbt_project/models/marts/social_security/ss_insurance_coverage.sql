-- 社会保障 · Who is insured, where: insured persons per county, age band, sex and scheme.
-- Grain: one row per (county_code, age_band, sex_code, insurance_type). Persons whose
-- enrolment could not be placed on a person of the population base are left out (see
-- jutong base status: quarantined mentions).
with enrolments as (
    select * from {{ ref('int_enrolments_linked') }}
    where person_id is not null
),

persons as (
    select * from {{ ref('int_persons_aged') }}
)

select
    coalesce(persons.county_code, 'unknown') as county_code,
    max(persons.county_name) as county_name,
    coalesce(persons.age_band, 'unknown') as age_band,
    coalesce(persons.sex_code, 'unknown') as sex_code,
    enrolments.insurance_type,
    cast(count(distinct enrolments.person_id) as bigint) as insured_persons,
    cast(count(*) as bigint) as enrolments
from enrolments
inner join persons on enrolments.person_id = persons.person_id
group by 1, 3, 4, 5
