-- 市场主体 · Valid licences expiring within the window (var expiry_window_days, 90 by
-- default) after the build day, per holder: whom to remind before their licence lapses.
-- Grain: one row per licence.
with licences as (
    select * from {{ ref('stg_base__licences') }}
),

as_of as (
    select cast('{{ var("as_of") }}' as date) as as_of_day
)

select
    licences.license_no,
    licences.license_type,
    licences.holder_kind,
    licences.holder_person_id,
    licences.holder_org_id,
    licences.issuer,
    licences.valid_until,
    cast({{ dbt.datediff('as_of.as_of_day', 'licences.valid_until', 'day') }} as integer) as days_left
from licences
cross join as_of
where
    licences.license_status = 'valid'
    and licences.valid_until is not null
    and licences.valid_until >= as_of.as_of_day
    and licences.valid_until <= {{ dbt.dateadd('day', var('expiry_window_days'), 'as_of.as_of_day') }}
