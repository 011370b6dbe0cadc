-- 社会保障 · Enrolments whose employer is not in the legal-entity base, or is revoked,
-- cancelled or moved out: contributions to check with 市场监管 and 人社.
-- Grain: one row per enrolment (enrolment_id = batch|row of the 人社 delivery) that names an
-- employer and has an issue.
with enrolments as (
    select * from {{ ref('int_enrolments_linked') }}
    where employer_uscc is not null
),

classified as (
    select
        *,
        case
            when employer_org_id is null then 'employer_not_in_base'
            when employer_status = '吊销' then 'employer_revoked'
            when employer_status = '注销' then 'employer_cancelled'
            when employer_status = '迁出' then 'employer_moved_out'
        end as issue
    from enrolments
)

select
    enrolment_id,
    person_id,
    insurance_type,
    enrolled_on,
    employer_uscc,
    employer_org_id,
    employer_status,
    issue
from classified
where issue is not null
