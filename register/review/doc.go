// Package review holds ITPARG's working logic (policy §7.8–7.10): the
// agenda of a meeting, the draft of its minutes and the actions every
// minutes set. It reads a loaded register and takes the clock as an
// argument; it never prints.
//
// # The agenda
//
// A meeting's agenda has four lists, drawn from the working tree:
//
//   - cases awaiting review: cases in a state from which a transition
//     leads to a state requiring review-minutes (resolved, in the
//     built-in workflow);
//   - incidents not yet reported to ITPARG: cases of category incident
//     with no notified.itparg (§6.2);
//   - reclassification proposals: cases not closed whose category is
//     still unknown (§4.2, §7.10), and cases whose investigator
//     addressed an update to itparg (updates[].to: itparg) since the
//     last minutes;
//   - overdue actions: actions of earlier minutes still open and due
//     before the meeting (§7.9).
//
// # Actions
//
// An action is overdue when its status is open and its due date is
// before today in the register's time zone.
package review
