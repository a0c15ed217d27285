"""The only write path.

Each module holds use cases: functions of (session, principal, ...) that validate, authorise,
check the version the person saw, change, and append the audit event, and never commit, so they
compose (an import runs many in one transaction). The names exported here are those use cases run
as one transaction each by `runner.run`, which also audits a refusal: pages, the CLI and tests call
these.

- `records`: suspects, arrests, tasks and task updates
- `evidence`: evidence items and their chain of custody
- `acquisitions`: a device's data imaged or extracted at the lab, with its own hash and custody
- `users`: provisioning, and the sign-in stamp
- `operations`: opening an operation, its status (closing, closed, re-opened), who takes part in it (memberships)
- `sign_in`: admitting an OpenID Connect identity on every interaction, expiry, sign-out
- `choosing`: the operations a person may switch to, and their choice of one (opened on at sign-in)
- `imports`: spreadsheets in, all rows or none
- `identifiers`: identifiers on records, the hits they make, the exclusion list, the deconfliction key
- `exports`, `briefings`: recording what left the system (`exports.export_file` reads an export without
  the writers' lock, then records it)
- `checks`: checking an identifier before acting (which other agencies hold it), at most so many an hour
- `key_rotation`: re-keying every identifier and exclusion under a new deconfliction key
- `contact_requests`: asking another agency for contact about a hit, its approval (a grant) or decline
- `decisions`: the decision log (append-only) and its pins
- `notifications`: `notify` (other use cases call it), a person's inbox and settings
- `reminders`: the reminder pass's use cases (due, overdue, unblocked; its lease; mail; briefings)
- `action_day`: target packages, their status changes (an outcome writes its arrests and exhibits)
  and event deconfliction; `package_conflicts`: command's acknowledgement of a conflict (and its lapse)
- what the use cases share: `pipeline` (the generic create and update of a kind's record), `parsing` (input
  read by the kind's parsers, links resolved among readable records), `merge` (versions merged field by field,
  or a conflict), `loading` (the operation, a readable record or NotFound), `authorisation` (refusals in words),
  `unique_references` (a reference is its agency's alone); `runner`: where transactions begin and end
- `use_cases`: the use cases that create and change each kind's records, found by its `Kind`
"""

from coordination.services import (
    acquisitions,
    action_day,
    briefings,
    checks,
    choosing,
    contact_requests,
    decisions,
    evidence,
    exports,
    identifiers,
    key_rotation,
    notifications,
    operations,
    package_conflicts,
    records,
    reminders,
    sign_in,
    use_cases,
    users,
)
from coordination.services.runner import allowed_when_closed, committed, in_transaction, run

create_suspect = committed(records.create_suspect)
update_suspect = committed(records.update_suspect)
create_arrest = committed(records.create_arrest)
update_arrest = committed(records.update_arrest)
create_task = committed(records.create_task)
update_task = committed(records.update_task)
add_task_update = committed(records.add_task_update)
create_evidence_item = committed(evidence.create_evidence_item)
update_evidence_item = committed(evidence.update_evidence_item)
transfer_custody = committed(evidence.transfer_custody)
record_acquisition = committed(acquisitions.record_acquisition)
transfer_acquisition = committed(acquisitions.transfer_acquisition)
create_user = committed(users.create_user)
update_user = committed(users.update_user)
disable_user = committed(users.disable_user)
record_sign_in = committed(users.record_sign_in)
record_export = committed(exports.record_export)
authorise_briefing = committed(briefings.authorise_briefing)
record_briefing = committed(briefings.record_briefing)
record_decision = committed(decisions.record_decision)
pin_decision = committed(decisions.pin_decision)
# one's own inbox is kept in a closed operation too (marked here: the module is the notifications' own)
mark_read = committed(allowed_when_closed(notifications.mark_read))
mark_all_read = committed(allowed_when_closed(notifications.mark_all_read))
save_notification_settings = committed(allowed_when_closed(notifications.save_settings))
remind = committed(reminders.remind)
take_lease = committed(reminders.take_lease)
release_lease = committed(reminders.release_lease)
claim_mail = committed(reminders.claim_mail)
unclaim_mail = committed(reminders.unclaim_mail)
file_briefing = committed(reminders.file_briefing)
create_package = committed(action_day.create_package)
update_package = committed(action_day.update_package)
change_package_status = committed(action_day.change_package_status)
acknowledge_conflict = committed(package_conflicts.acknowledge_conflict)
admit = in_transaction(sign_in.admit)
add_identifier = committed(identifiers.add_identifier)
add_identifiers = committed(identifiers.add_identifiers)
remove_identifier = committed(identifiers.remove_identifier)
add_exclusion = committed(identifiers.add_exclusion)
remove_exclusion = committed(identifiers.remove_exclusion)
sign_out = in_transaction(sign_in.sign_out)
choose_operation = committed(allowed_when_closed(choosing.choose_operation))  # leaving a closed one too
ask_for_contact = committed(contact_requests.ask_for_contact)
approve_contact = committed(contact_requests.approve_contact)
decline_contact = committed(contact_requests.decline_contact)
check_identifier = committed(checks.check_identifier)
rotate_key = committed(key_rotation.rotate_key)
open_operation = committed(operations.open_operation)
change_operation_status = committed(operations.change_operation_status)
add_member = committed(operations.add_member)
change_member_role = committed(operations.change_member_role)
remove_member = committed(operations.remove_member)

__all__ = [
    "add_exclusion", "add_identifier", "add_identifiers", "remove_exclusion", "remove_identifier",
    "change_package_status", "create_package", "update_package", "acknowledge_conflict",
    "add_task_update", "admit", "authorise_briefing", "create_arrest", "create_evidence_item", "create_suspect",
    "create_task", "create_user", "disable_user", "record_briefing", "record_export", "record_sign_in", "run",
    "record_acquisition", "transfer_acquisition", "choose_operation",
    "sign_out", "transfer_custody", "update_arrest", "update_evidence_item", "update_suspect", "update_task",
    "update_user",
    "ask_for_contact", "approve_contact", "decline_contact", "check_identifier", "rotate_key",
    "record_decision", "pin_decision",
    "mark_read", "mark_all_read", "save_notification_settings", "remind", "take_lease", "release_lease",
    "claim_mail", "unclaim_mail", "file_briefing", "use_cases",
    "open_operation", "change_operation_status", "add_member", "change_member_role", "remove_member",
]
