-- 市场主体 · Enterprises per county, type and registration status, with registered capital.
-- Grain: one row per (county_code, org_type, registration_status).
with organisations as (
    select * from {{ ref('stg_base__organisations') }}
),

divisions as (
    select * from {{ ref('stg_base__divisions') }}
)

select
    coalesce(organisations.county_code, 'unknown') as county_code,
    max(divisions.division_full_name) as county_name,
    coalesce(organisations.org_type, 'unknown') as org_type,
    coalesce(organisations.registration_status, 'unknown') as registration_status,
    cast(count(*) as bigint) as enterprises,
    cast(coalesce(sum(organisations.registered_capital_10k_yuan), 0) as decimal(20, 4))
        as registered_capital_10k_yuan
from organisations
left join divisions on organisations.county_code = divisions.division_code
group by 1, 3, 4
