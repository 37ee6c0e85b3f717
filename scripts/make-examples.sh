#!/usr/bin/env bash
# How this repository's example escalations were made: with the CLI itself, the clock pinned
# (MECHCTL_NOW, and git's dates to match) to replay three weeks of an organisation's life.
# Running it again adds a new set with new random ids.
set -euo pipefail
cd "$(dirname "$0")/.."
M=${MECHCTL:-mechctl}

as() {  # as "Name <email>" ISO-TIME command...
  local who=$1 at=$2; shift 2
  local name=${who% <*} email=${who#*<}; email=${email%>}
  GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_NAME=$name \
  GIT_COMMITTER_EMAIL=$email GIT_AUTHOR_DATE=$at GIT_COMMITTER_DATE=$at MECHCTL_NOW=$at "$@"
}
PRIYA="Priya Raman <priya@example.com>"; TOM="Tom Okafor <tom@example.com>"
ANA="Ana Silva <ana@example.com>"; WEI="Wei Chen <wei@example.com>"
LENA="Lena Fischer <lena@example.com>"

# 1. The WBR missed a new input; fixed by changing the mechanism, then closed.
e1=$(as "$PRIYA" 2026-11-02T08:40:00Z $M escalate -m wbr --severity sev2 --failure-mode new-input \
  -t "Weekly business review deck omitted EU churn" \
  -i "A churn spike among EU mid-market customers went unnoticed for two weeks" \
  --ask "Add EU churn by cohort to the deck" --tag churn)
as "$TOM" 2026-11-02T10:05:00Z $M escalation ack "$e1" --note "Confirmed: the deck has no regional churn"
as "$TOM" 2026-11-04T15:30:00Z $M mechanism set wbr 'tool.inputs[]=Churn by region and cohort' \
  --why "The deck had no regional churn, so an EU spike went unseen" --escalation "$e1"
as "$TOM" 2026-11-04T15:45:00Z $M escalation resolve "$e1" --summary "EU churn by cohort is in the deck" \
  --root-cause "Churn was only reported globally" --mechanism-change wbr
as "$PRIYA" 2026-11-09T09:00:00Z $M escalation close "$e1"

# 2. The bar raiser pool does not scale with the hiring plan: raised higher, still open.
e2=$(as "$ANA" 2026-11-06T13:20:00Z $M escalate -m bar-raiser --severity sev2 --failure-mode scale \
  -t "Interview loops wait two weeks for a bar raiser" \
  -i "Candidates drop out while waiting; two accepted competing offers this month")
as "$WEI" 2026-11-06T16:00:00Z $M escalation ack "$e2"
as "$WEI" 2026-11-10T09:30:00Z $M escalation raise "$e2" --to vp \
  --note "Training more bar raisers needs interviewer time from every org"
as "$ANA" 2026-11-13T11:00:00Z $M escalation comment "$e2" "Three more loops slipped this week"

# 3. The operating plan's required output changed: still open, not yet acknowledged.
as "$LENA" 2026-11-12T17:10:00Z $M escalate -m operating-plan --failure-mode output-changed \
  -t "OP1 headcount plan ignores the new EU data-residency work" \
  -i "Customers in the EU will wait for residency features the plan has no people for" >/dev/null

# 4. PRFAQs are written after the build starts: an adoption failure, fixed in the mechanism.
e4=$(as "$WEI" 2026-11-03T09:15:00Z $M escalate -m prfaq --failure-mode not-adopted \
  -t "PRFAQs are written after the build starts" \
  -i "Two launches shipped features customers did not ask for")
as "$LENA" 2026-11-03T14:00:00Z $M escalation ack "$e4"
as "$LENA" 2026-11-07T10:00:00Z $M mechanism set prfaq \
  'adoption.metrics[]={name: PRFAQ approved before build kickoff, target: 0.9}' \
  --why "Make adoption visible: a PRFAQ must be approved before kickoff" --escalation "$e4"
as "$LENA" 2026-11-07T10:20:00Z $M escalation resolve "$e4" \
  --summary "Kickoff now needs an approved PRFAQ, and adoption is measured" \
  --mechanism-change prfaq
as "$WEI" 2026-11-12T09:00:00Z $M escalation close "$e4"

# 5. No mechanism exists at all: raised high.
e5=$(as "$TOM" 2026-11-16T12:00:00Z $M escalate --failure-mode no-mechanism --severity sev2 \
  -t "No mechanism owns refund requests over 10k" \
  -i "Large refunds wait three weeks while teams pass them around" --level vp)
as "$PRIYA" 2026-11-17T08:30:00Z $M escalation ack "$e5" --note "Finance and support to propose one"

# 6. A one-off: resolved without a change, with the reason on record.
e6=$(as "$ANA" 2026-11-10T18:00:00Z $M escalate -m narrative --severity sev4 --failure-mode other \
  -t "Planning narrative arrived the night before the review" \
  -i "Readers skimmed it and the customer section was not discussed")
as "$LENA" 2026-11-11T08:00:00Z $M escalation resolve "$e6" --summary "Review rescheduled with a full day to read" \
  --no-change-reason "One-off: the meeting moved at short notice; the 48-hour rule already covers it"

# 7. Fresh today-ish: open.
as "$PRIYA" 2026-11-19T16:45:00Z $M escalate -m wbr --severity sev4 \
  -t "WBR metric definitions drift between teams" \
  -i "Two teams reported different active-customer counts to the same customer" >/dev/null

# Inspections: data and customer anecdotes, side by side.
as "$TOM" 2026-10-05T15:00:00Z $M inspect wbr --outcome on-track \
  --metric "Deck published before the agreed cut-off time=0.97" \
  --metric "Action items closed by their due date=0.88" \
  --anecdote "A support lead said the review caught the checkout outage before the customer emails" >/dev/null
as "$TOM" 2026-11-03T15:00:00Z $M inspect wbr --outcome at-risk \
  --metric "Deck published before the agreed cut-off time=0.91" \
  --metric "Action items closed by their due date=0.74" \
  --anecdote "An EU customer asked why nobody noticed their churn risk for two weeks" \
  --action "Add churn by region and cohort to the deck" >/dev/null
as "$TOM" 2026-11-17T15:00:00Z $M inspect wbr --outcome on-track \
  --metric "Deck published before the agreed cut-off time=0.96" \
  --metric "Action items closed by their due date=0.86" \
  --anecdote "The EU account team heard about a churn risk from the deck, a week before the customer raised it" >/dev/null
as "$WEI" 2026-11-14T11:00:00Z $M inspect bar-raiser --outcome off-track \
  --metric "Loops with a certified Bar Raiser present=0.82" \
  --metric "Time from final interview to hiring decision=96h" \
  --anecdote "A candidate withdrew after waiting nine days for a debrief slot" \
  --action "Train twelve more bar raisers this quarter" >/dev/null
as "$LENA" 2026-11-13T10:00:00Z $M inspect prfaq --outcome at-risk \
  --metric "Funded projects that started from a reviewed PRFAQ=0.7" \
  --anecdote "A pilot customer said the FAQ answered the question their team had been asking for a year" >/dev/null
as "$LENA" 2026-11-10T16:00:00Z $M inspect operating-plan --outcome on-track \
  --metric "Goals met or on track=0.78" --metric "Spend variance against the approved budget=3%" \
  --anecdote "Finance partners said the OP2 refresh took two days instead of two weeks" >/dev/null
as "$ANA" 2026-11-12T09:00:00Z $M inspect narrative --outcome on-track \
  --metric "Meetings starting with silent reading time=1.0" \
  --metric "Meetings ending with a recorded decision or next steps=0.88" \
  --anecdote "A new director said the memo let her join a decision she had no context for" >/dev/null
