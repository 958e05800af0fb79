"""Signals between areas, so that one area reacts to another without importing it.

Receivers run synchronously, inside the sender's transaction: what they write commits or
rolls back together with the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# activities → points: an hours record became final (approved), or its approved hours changed.
# sender: the HoursRecord; kwargs: previous_hours (float | None)
hours_record_finalised = _signals.signal("hours-record-finalised")

# activities → notices: sender is the Activity; kwargs per signal below
activity_changed = _signals.signal("activity-changed")  # changes: dict of field → (old, new)
activity_cancelled = _signals.signal("activity-cancelled")  # reason: str
signup_confirmed = _signals.signal("signup-confirmed")  # sender: the SignUp
signup_promoted = _signals.signal("signup-promoted")  # sender: the SignUp (from the waitlist)
# activities → points: a member signed up and did not come (无故缺席); sender: the SignUp
signup_absent = _signals.signal("signup-absent")

# activities → desk: a member filed an appeal (申诉); sender: the Appeal (staff are told at once)
appeal_filed = _signals.signal("appeal-filed")

# pledges → points: a fulfilment note was verified by staff; sender: the note
pledge_note_verified = _signals.signal("pledge-note-verified")
# pledges → points: a member attended the fixed party day (or its make-up); sender: attendance
party_day_attended = _signals.signal("party-day-attended")

# activities → pledges (party day attendance) and others: a member clocked in to an activity.
# sender: the clock record (attrs member_id, activity_id, activity)
clocked_in = _signals.signal("clocked-in")
