-- 婚姻家庭 · Marriage and divorce registrations per year, county of the party, sex and age
-- band at registration (counted per party: a marriage counts once for the husband and once
-- for the wife). Grain: one row per (registration_year, registration_type, county_code,
-- sex_code, age_band).
with parties as (
    select * from {{ ref('int_marriage_parties_linked') }}
    where registration_type in ('结婚', '离婚')
)

select
    cast(year(registered_on) as integer) as registration_year,
    registration_type,
    coalesce(county_code, 'unknown') as county_code,
    max(county_name) as county_name,
    coalesce(sex_code, case party_role when 'husband' then '1' else '2' end) as sex_code,
    coalesce({{ age_band('age_at_registration') }}, 'unknown') as age_band,
    cast(count(*) as bigint) as parties,
    cast(avg(age_at_registration) as double) as mean_age
from parties
group by 1, 2, 3, 5, 6
