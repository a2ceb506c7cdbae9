// Package report builds ITPARG's documents from a loaded register: the
// Business IT summary report for a period (policy §7.18), the record of
// personal-data breaches that UK GDPR Art. 33(5) requires, and the draft
// of a breach report to the ICO (Art. 33(3)). It computes figures from
// the case files, takes the clock and the history as arguments, and
// renders HTML (with accessible SVG charts from templates/report),
// Markdown and CSV. It never prints.
//
// # What the summary counts
//
// A case belongs to a period when its reported_at falls on one of the
// period's days in the register's time zone. Counts by category, type,
// impact and month are of those cases; a case has several types and
// impacts, so those counts may add up to more than the cases.
//
// Times to triage and to resolve are measured from reported_at (when the
// council became aware) to the author time of the first commit that put
// the case into a later state: triage is the first state after the
// initial one; resolution is the first entry into resolved or, for a case
// that skipped it, into a state that is not open (closed). The case file
// does not record when its status changed, so these times come from the
// Git history (a Timeline); a case the history does not cover is left out
// and counted as such. Medians of an even number of values are the mean
// of the two middle ones; the 90th percentile is the nearest-rank value,
// the ceil(0.9·n)-th smallest.
//
// The ICO deadline is met when ico.notified_at is no later than
// reported_at plus deadlines.ico_hours (72 by default).
//
// Open cases by age and open actions are as of the report's time, over
// the whole register (the backlog, not only the period).
package report
