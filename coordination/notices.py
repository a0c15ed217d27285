"""The kinds of event the operation tells people about, and the sentence each is told in.

A notification stores only its event's name and the record it is about; the inbox, the unread
count and mail read these descriptions. Another part of the product that wants to tell people
something adds one `Event` here and calls `services.notifications.notify(...)` in its use case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    name: str  # stored with each notification; never shown
    label: str  # what a person picks in their settings and the inbox's filter
    sentence: str  # what the inbox says: `{record}` is the record's reference, `{entity}` its noun


TASK_ASSIGNED_TO_YOU = Event("task assigned to you", "Tasks assigned to you", "Task {record} was assigned to you.")
TASK_ASSIGNED_TO_AGENCY = Event("task assigned to your agency", "Tasks assigned to your agency",
                                "Task {record} was assigned to your agency.")
TASK_DUE_SOON = Event("task due soon", "Tasks due within 24 hours", "Task {record} is due within 24 hours.")
TASK_OVERDUE = Event("task overdue", "Overdue tasks", "Task {record} is overdue.")
TASK_UNBLOCKED = Event("task unblocked", "Tasks that can go ahead",
                       "Task {record} can go ahead: the task it depended on is done.")
NAMED_RECIPIENT = Event("named recipient", "Named a recipient of a TLP:RED record",
                        "You were named a recipient of the TLP:RED {entity} {record}.")
CUSTODY_TO_AGENCY = Event("custody to your agency", "Custody transferred to your agency",
                          "Custody of evidence item {record} was transferred to your agency.")
HIT_FOUND = Event("deconfliction hit", "Deconfliction hits on your agency's records",
                  "Another agency holds an identifier of {entity} {record} (see Deconfliction).")
HIT_ELSEWHERE = Event("deconfliction hit with another operation",
                      "Deconfliction hits with other operations on your agency's records",
                      "Another operation holds an identifier of {entity} {record} (see Deconfliction for whom "
                      "to contact).")
CONTACT_ASKED = Event("contact request", "Requests for contact about your agency's records",
                      "Another agency asks for contact about {entity} {record} (see Deconfliction).")
CONTACT_ANSWERED = Event("contact request answered", "Answers to your agency's requests for contact",
                         "Your agency's request for contact about the hit on {entity} {record} was answered "
                         "(see Deconfliction).")
# told about the conflict itself (a notification on "package conflict"), in a sentence made for each
# reader as the board makes it (queries.action_day.conflict_notices); this one is never shown
PACKAGE_CONFLICT = Event("package conflict", "Action-day conflicts between packages",
                         "A target package conflicts with another agency's package (see the action-day board).")
# about the conflict too, told the same way; the inbox adds command's acknowledgement as its reader may read it
CONFLICT_ACKNOWLEDGED = Event("package conflict acknowledged", "Action-day conflicts acknowledged by command",
                              "Command acknowledged a conflict between target packages (see the action-day board).")
CONFLICT_REOPENED = Event("package conflict reopened", "Action-day conflicts changed after command acknowledged them",
                          "A conflict command had acknowledged changed and is open again (see the action-day board).")
PACKAGE_SILENT = Event("package silent", "Action-day packages silent for an hour past H-hour",
                       "Target package {record} has had no status update for an hour past its H-hour.")
BRIEFING_READY = Event("briefing ready", "Your scheduled briefings", "Your daily briefing is ready: {record}.")

EVENTS: dict[str, Event] = {event.name: event for event in (
    TASK_ASSIGNED_TO_YOU, TASK_ASSIGNED_TO_AGENCY, TASK_DUE_SOON, TASK_OVERDUE, TASK_UNBLOCKED, NAMED_RECIPIENT,
    CUSTODY_TO_AGENCY, HIT_FOUND, HIT_ELSEWHERE, CONTACT_ASKED, CONTACT_ANSWERED, PACKAGE_CONFLICT,
    CONFLICT_ACKNOWLEDGED, CONFLICT_REOPENED, PACKAGE_SILENT, BRIEFING_READY)}


def sentence(event_name: str, record: str, entity: str) -> str:
    event = EVENTS.get(event_name)
    if event is None:  # an event this version does not know (a newer replica wrote it)
        return f"Something happened to {entity} {record}."
    return event.sentence.format(record=record, entity=entity)
