-- 自然资源 · Parcels and their area per county, holder kind and land use.
-- Grain: one row per (county_code, holder_kind, land_use).
with parcels as (
    select * from {{ ref('stg_base__parcels') }}
),

divisions as (
    select * from {{ ref('stg_base__divisions') }}
)

select
    coalesce(parcels.county_code, 'unknown') as county_code,
    max(divisions.division_full_name) as county_name,
    coalesce(parcels.holder_kind, 'unknown') as holder_kind,
    coalesce(parcels.land_use, 'unknown') as land_use,
    cast(count(*) as bigint) as parcels,
    cast(coalesce(sum(parcels.area_m2), 0) as decimal(20, 4)) as area_m2
from parcels
left join divisions on parcels.county_code = divisions.division_code
group by 1, 3, 4
