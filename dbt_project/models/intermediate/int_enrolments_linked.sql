-- One row per insurance enrolment with the insured person and the employer the base
-- databases resolved it to (through the links of the enrolment's row), and the employer's
-- registration status.
with enrolments as (
    select * from {{ ref('stg_renshe__insurance_enrolments') }}
),

person_links as (
    select * from {{ ref('stg_base__person_links') }}
    where dataset = 'renshe.shebao' and mention_role = 'employee'
),

org_links as (
    select * from {{ ref('stg_base__organisation_links') }}
    where dataset = 'renshe.shebao' and mention_role = 'employer'
),

organisations as (
    select * from {{ ref('stg_base__organisations') }}
)

select
    enrolments.enrolment_id,
    enrolments.insurance_type,
    enrolments.enrolled_on,
    person_links.person_id,
    enrolments.employer_uscc,
    org_links.org_id as employer_org_id,
    organisations.registration_status as employer_status
from enrolments
left join person_links
    on enrolments.batch_id = person_links.batch_id and enrolments.row_number = person_links.row_number
left join org_links
    on enrolments.batch_id = org_links.batch_id and enrolments.row_number = org_links.row_number
left join organisations on org_links.org_id = organisations.org_id
