-- 自然资源 · Parcels whose holder is in neither the population nor the legal-entity base:
-- registrations for 自然资源 to verify (GX-Dispatch art. 40). Grain: one row per parcel.
select
    parcel_code,
    county_code,
    land_use,
    area_m2,
    holder_kind,
    coalesce(holder_reason, 'holder not resolved') as reason
from {{ ref('stg_base__parcels') }}
where not holder_found
