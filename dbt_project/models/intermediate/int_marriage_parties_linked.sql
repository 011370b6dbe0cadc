-- One row per party (husband, wife) of a marriage registration, with the person the base
-- databases resolved the party to and the party's age on the registration day.
with registrations as (
    select * from {{ ref('stg_minzheng__marriage_registrations') }}
),

links as (
    select * from {{ ref('stg_base__person_links') }}
    where dataset = 'minzheng.hunyin' and mention_role in ('husband', 'wife')
),

persons as (
    select * from {{ ref('int_persons_aged') }}
)

select
    registrations.certificate_no,
    registrations.registration_type,
    registrations.registered_on,
    links.mention_role as party_role,
    links.person_id,
    persons.sex_code,
    persons.county_code,
    persons.county_name,
    {{ age_in_years('persons.birth_date', 'registrations.registered_on') }} as age_at_registration
from registrations
inner join links
    on registrations.batch_id = links.batch_id and registrations.row_number = links.row_number
left join persons on links.person_id = persons.person_id
