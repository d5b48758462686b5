"""What the juries tell the apps downstream, without those apps being imported here (D56)."""

from django.dispatch import Signal

# Sent once the original minutes of a session are signed (after commit), with `session`: the
# ExamSession whose results are now proclaimed, and `actor`: who signed. The certificates app issues
# the certificates of the decisions in force (D59).
results_proclaimed = Signal()

# Sent once the minutes of an amendment are signed (after commit), for each decision it makes, with
# `old`: the decision it corrects (a JuryDecision, None when there was none) and `new`: the amended
# decision, now in force. The certificates app re-issues or revokes what it issued on `old` (D56, D62).
decision_amended = Signal()
