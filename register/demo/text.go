package demo

import (
	"math/rand/v2"
	"strings"
)

// A kind is a family of cases: what happened, and the words to tell it.
// Slots in braces are filled per case: {system}, {team}, {place},
// {device}, {n}.
type kind struct {
	types      []string
	categories []string // possible categories at triage, with repeats as weights
	impact     []string
	personal   float64 // chance of personal data
	hardCopy   bool
	service    float64 // chance of being service affecting
	early      float64 // chance an event of this kind is closed straight after triage
	titles     []string
	what       []string
	found      []string
	resolution []string
	lessons    []string
	data       []string // data categories, for personal-data cases
}

var kinds = []kind{
	{types: []string{"unsolicited-mail"}, categories: []string{"event", "event", "incident", "unknown"}, impact: []string{"confidentiality"},
		personal: 0.1, service: 0.05, early: 0.7,
		titles: []string{"Phishing email impersonating {system} reported by {team}", "Suspicious invoice email received in {team} mailbox",
			"Spoofed sender asking {team} to change supplier bank details", "Credential-harvesting link sent to {n} staff mailboxes"},
		what: []string{"A member of {team} forwarded an email that asked them to sign in to {system} through an unfamiliar link.",
			"{n} staff received a message from an outside address pretending to come from the {system} team.",
			"The email carried the council's logo but the reply-to address belonged to an unrelated domain.",
			"The reporter did not click the link and reported it through the Report Phish button."},
		found: []string{"Mail logs show the message reached {n} mailboxes; two recipients opened it and nobody entered a password.",
			"The sending domain was registered three days earlier; the link led to a copy of the {system} sign-in page.",
			"The message was purged from all mailboxes and the sender blocked at the gateway."},
		resolution: []string{"Messages purged, sender and URL blocked at the mail gateway; no credentials were entered.",
			"Sender domain blocked; the one recipient who clicked reset their password as a precaution."},
		lessons: []string{"Keep promoting the Report Phish button: early reports let us purge quickly",
			"Add the look-alike domain pattern to the gateway's block list"}},
	{types: []string{"malware"}, categories: []string{"incident", "incident", "event"}, impact: []string{"integrity", "availability"},
		service: 0.5,
		titles: []string{"Malware detected on {device} in {team}", "Ransomware alert on file share used by {team}",
			"Endpoint protection quarantined a macro in a spreadsheet from {team}", "Infected USB stick found at {place}"},
		what: []string{"Endpoint protection raised an alert on a {device} used in {team}.",
			"Users of {system} reported that files on the shared drive had been renamed with an unknown extension.",
			"The alert named a known trojan family delivered through a macro-enabled attachment.",
			"The device was taken off the network by the service desk within the hour."},
		found: []string{"The payload was blocked before it ran; no lateral movement was seen in the firewall logs.",
			"Forensic review of the {device} found the infection came from a personal webmail attachment.",
			"Backups of the affected share from the previous night were intact and were restored."},
		resolution: []string{"Device re-imaged, share restored from backup, macro policy tightened for {team}.",
			"Device rebuilt and returned; the attachment's hash added to the block list."},
		lessons: []string{"Block macros from internet-origin files for all teams, not only finance",
			"Check restore times of shared drives twice a year"}},
	{types: []string{"theft-or-loss"}, categories: []string{"incident", "incident", "weakness"}, impact: []string{"confidentiality", "availability"},
		personal: 0.6,
		titles: []string{"{device} lost on public transport by {team} officer", "{device} stolen from vehicle during site visit",
			"Encrypted memory stick missing after meeting at {place}", "Council mobile phone left in a taxi"},
		what: []string{"An officer from {team} reported that a council {device} was missing after travelling home.",
			"The {device} was stolen from a locked car parked near {place}; the police gave a crime reference.",
			"The reporter believes the device was last seen at the end of a meeting at {place}."},
		found: []string{"The {device} was encrypted and enrolled in device management; it was wiped remotely the same day.",
			"Device management shows the last check-in two hours before the loss was reported.",
			"The officer had downloaded a case list to the device, which holds names and addresses of {n} residents."},
		resolution: []string{"Device wiped remotely and its accounts' sessions revoked; replacement issued.",
			"Device wiped and reported to the police; staff reminded of the mobile device guidance."},
		lessons: []string{"Remind staff that case lists should stay in {system}, not be downloaded",
			"Remote wipe worked within the hour; keep device check-in alerts on"},
		data: []string{"names", "addresses", "contact details", "case notes"}},
	{types: []string{"physical-security"}, categories: []string{"weakness", "event", "weakness"}, impact: []string{"confidentiality"},
		early: 0.5,
		titles: []string{"Fire door at {place} propped open overnight", "Visitor tailgated through the staff entrance at {place}",
			"Door entry system at {place} not locking", "Server room at {place} left unlocked"},
		what: []string{"Security staff found the door at {place} wedged open at the start of the morning shift.",
			"A visitor without a pass followed staff through the secure door at {place}.",
			"The door entry system at {place} accepted any card for part of the afternoon."},
		found: []string{"CCTV shows nobody entered through the door while it was open.",
			"The door closer had failed; facilities had a repair request open for two weeks.",
			"The visitor was a contractor who had forgotten their pass and was escorted out."},
		resolution: []string{"Door closer repaired and added to the weekly facilities check.",
			"Staff at {place} reminded to challenge people without a pass; signage added."},
		lessons: []string{"Check door closers quarterly",
			"Facilities repairs that affect security need a priority flag"}},
	{types: []string{"unauthorised-disclosure"}, categories: []string{"incident", "incident", "unknown"}, impact: []string{"confidentiality"},
		personal: 0.95,
		titles: []string{"Email with resident details sent to wrong recipient by {team}", "Letter sent to previous address of a resident",
			"Spreadsheet with {n} records attached to a public consultation reply", "Autocomplete sent {team} report to an outside address"},
		what: []string{"An officer in {team} sent an email with an attachment to the wrong recipient because of address autocomplete.",
			"A letter about a {team} case was posted to an address the resident had left.",
			"The attachment held details of {n} people drawn from {system}."},
		found: []string{"The recipient confirmed in writing that they deleted the email and had not forwarded it.",
			"The wrong address came from an out-of-date record in {system}.",
			"The attachment was password-protected, but the password was sent in the same email."},
		resolution: []string{"Recipient confirmed deletion; autocomplete cleared and the team briefed.",
			"Record corrected in {system}; letter retrieved unopened by the new occupant."},
		lessons: []string{"Turn off address autocomplete for external recipients in {team}",
			"Send passwords for protected files by a different channel"},
		data: []string{"names", "addresses", "dates of birth", "case references", "financial details"}},
	{types: []string{"system-malfunction"}, categories: []string{"event", "incident", "event"}, impact: []string{"availability"},
		service: 0.9, early: 0.4,
		titles: []string{"{system} unavailable for {n} hours", "{system} showing other users' records after an update",
			"Nightly batch in {system} failed and overwrote records", "Storage fault slowed {system} for {team}"},
		what: []string{"{team} reported that {system} could not be reached from mid-morning.",
			"After the supplier's update, {system} intermittently showed the wrong customer's summary screen.",
			"Users saw the error \"HTTP 503 Service Unavailable\" on every page of {system}."},
		found: []string{"The supplier confirmed a failed database failover at their data centre.",
			"A caching setting in the update served pages across sessions; it was rolled back the same evening.",
			"The storage array logged a controller fault; the standby took over after a manual switch."},
		resolution: []string{"Service restored by the supplier; root-cause report received and reviewed.",
			"Update rolled back; the supplier fixed the caching setting before redeploying."},
		lessons: []string{"Ask suppliers for their failover test results each year",
			"Test supplier updates in the pre-production copy of {system} first"}},
	{types: []string{"inadequate-disposal"}, categories: []string{"incident", "weakness"}, impact: []string{"confidentiality"},
		personal: 0.9, hardCopy: true,
		titles: []string{"Case papers found in general waste at {place}", "Confidential waste sack left unsecured at {place}",
			"Old filing cabinet sold with {team} files inside"},
		what: []string{"Cleaners at {place} found printed {team} papers in an ordinary waste bin.",
			"A confidential waste sack was left by the loading bay at {place} overnight.",
			"The papers included letters naming {n} residents."},
		found: []string{"The papers were recovered the same morning; the bin had not been emptied.",
			"The confidential waste contractor missed a collection; the sack was still sealed."},
		resolution: []string{"Papers recovered and shredded; team reminded of the confidential waste procedure.",
			"Extra locked console placed at {place}; contractor collection schedule corrected."},
		lessons: []string{"Put a locked confidential waste console on every floor of {place}",
			"Office clearances need an IMG sign-off before furniture leaves"},
		data: []string{"names", "addresses", "case notes", "health information"}},
	{types: []string{"password-exposure"}, categories: []string{"weakness", "weakness", "incident"}, impact: []string{"confidentiality", "integrity"},
		titles: []string{"Shared password for {system} written on a note at {place}", "Password posted in a team chat by {team}",
			"Service account password found in a script on a shared drive"},
		what: []string{"During a walk-round, a note with the {system} password was found on a monitor at {place}.",
			"A member of {team} pasted a password into the team chat by mistake.",
			"A script on the shared drive contained the password of a service account used by {system}."},
		found: []string{"The account's sign-in log shows no use from unusual places.",
			"The password had been shared between {n} people because the team had one login."},
		resolution: []string{"Password changed; individual accounts created so the shared login could be retired.",
			"Password rotated and moved to the password vault; script changed to read it from there."},
		lessons: []string{"Shared logins hide who did what: give each person their own account",
			"Scan shared drives for passwords quarterly"}},
	{types: []string{"non-compliance"}, categories: []string{"weakness", "weakness", "event"}, impact: []string{"integrity"},
		early: 0.3,
		titles: []string{"Unapproved cloud storage used by {team}", "Security patches on {system} servers {n} months behind",
			"Personal email used to send work documents by {team}", "Data protection training overdue for {n} staff in {team}"},
		what: []string{"A review found {team} sharing files through a personal cloud storage account.",
			"Vulnerability scanning reported {n} critical patches missing on the {system} servers.",
			"{n} staff in {team} had not completed the annual data protection training."},
		found: []string{"The patches were held back waiting for the supplier's certification of the new version.",
			"The team used the storage because the approved tool would not take large plans."},
		resolution: []string{"Patches applied in the next maintenance window; supplier certification now tracked.",
			"Files moved to approved storage and the personal account closed."},
		lessons: []string{"Track supplier certification of patches as a risk, not an excuse",
			"Offer an approved way to share large files"}},
	{types: []string{"inappropriate-record-access"}, categories: []string{"incident", "incident"}, impact: []string{"confidentiality"},
		personal: 1,
		titles: []string{"Officer looked up records in {system} without a business need", "Audit log shows repeated searches of one record in {system}",
			"Access to a restricted record in {system} by a colleague"},
		what: []string{"The {system} audit report flagged an officer in {team} viewing a record unrelated to their work.",
			"A resident complained that a council officer knew details only held in {system}.",
			"{n} lookups of the same restricted record were made outside working hours."},
		found: []string{"The audit log confirms the access; HR has been informed under the disciplinary policy.",
			"The officer had access through an old role that should have been removed when they changed team."},
		resolution: []string{"Access removed; the matter passed to HR; role reviews added to the leavers-and-movers process.",
			"Restricted-record alerting turned on in {system}; officer's access reduced to their current role."},
		lessons: []string{"Review access rights when people move teams, not only when they leave",
			"Turn on alerting for restricted records in every case system"},
		data: []string{"names", "addresses", "health information", "social care records"}},
	{types: []string{"chain-letter"}, categories: []string{"event"}, impact: []string{"availability"},
		early:  0.9,
		titles: []string{"Chain letter circulating among {team} mailboxes", "Hoax virus warning forwarded to all staff"},
		what: []string{"Staff in {team} received a chain email asking them to forward it to ten colleagues.",
			"A hoax virus warning was forwarded to several distribution lists."},
		found:      []string{"The message carried no links or attachments."},
		resolution: []string{"Messages removed from mailboxes; a short note sent to staff about hoaxes."},
		lessons:    []string{"Distribution lists should not accept mail from everyone"}},
	{types: []string{"credential-misuse"}, categories: []string{"incident", "unknown", "incident"}, impact: []string{"confidentiality", "integrity"},
		personal: 0.3,
		titles: []string{"Sign-ins to {system} from an unexpected country", "Colleague's login used while they were on leave",
			"Multi-factor prompts approved without the user's knowledge"},
		what: []string{"Sign-in alerts showed successful logins to {system} from abroad for an account in {team}.",
			"An account in {team} was used on a day its owner was on annual leave.",
			"The user reported repeated multi-factor prompts and approved one by mistake."},
		found: []string{"The password had been reused on a site that was breached last year.",
			"A colleague had used the login with the owner's consent to cover a deadline."},
		resolution: []string{"Sessions revoked, password reset and number-matching turned on for multi-factor prompts.",
			"Account sharing stopped; the team was reminded that logins are personal."},
		lessons: []string{"Turn on number matching for every multi-factor prompt",
			"Check staff passwords against breached-password lists"},
		data: []string{"names", "contact details", "account details"}},
	{types: []string{"other"}, categories: []string{"event", "unknown", "event"}, impact: []string{"confidentiality"},
		early: 0.5,
		titles: []string{"Caller claiming to be from the bank asked {team} for payment details", "Unexpected remote-access request to {team}",
			"Unknown device found plugged into a meeting room at {place}"},
		what: []string{"A caller asked an officer in {team} to confirm details of supplier payments.",
			"An unknown small device was found connected to a network point at {place}."},
		found: []string{"The caller's number was withheld; no information was given.",
			"The device turned out to be a contractor's wireless presenter dongle."},
		resolution: []string{"No information disclosed; staff in {team} reminded of call verification.",
			"Device identified and returned; network port security confirmed on."},
		lessons: []string{"Keep the call-verification checklist by every finance phone"}},
	{types: []string{"unauthorised-disclosure", "inadequate-disposal"}, categories: []string{"incident"}, impact: []string{"confidentiality"},
		personal: 1, hardCopy: true,
		titles: []string{"Printed reports left on a shared printer at {place}", "Files left in a meeting room at {place} after a case conference"},
		what: []string{"Printed reports from {system} were left on the shared printer at {place} and picked up by another team.",
			"A folder of case papers was left in a bookable meeting room at {place}."},
		found: []string{"The papers were returned within the hour by the person who found them.",
			"Secure print release was not enabled on that printer."},
		resolution: []string{"Secure print release turned on for every printer at {place}."},
		lessons:    []string{"Make secure print release the default on every printer"},
		data:       []string{"names", "addresses", "case notes"}},
}

var (
	systems = []string{"the Revenues and Benefits system", "the housing management system", "the adult social care case system",
		"the planning portal", "the payroll system", "the Council Tax online account", "the library management system",
		"the parking permits system", "staff email", "the remote access VPN", "the intranet", "the children's services records system",
		"the electoral register system", "the waste collection app"}
	teams = []string{"Revenues", "Housing Options", "Planning", "Adult Social Care", "Customer Services", "Payroll",
		"Electoral Services", "Environmental Health", "Parking Services", "Libraries", "Children's Services", "Legal Services"}
	places = []string{"the Civic Centre, third floor", "the Town Hall reception", "Northgate depot", "Riverside library",
		"the Market Street contact centre", "Highfield children's centre", "the Civic Centre basement", "Eastfield community hub"}
	devices         = []string{"laptop", "tablet", "mobile phone", "desktop PC", "encrypted memory stick"}
	changes         = "CHG-%d-%04d"
	noChangeReasons = []string{"No system change needed: the controls worked as designed.",
		"Handled by staff guidance only; no configuration changed.",
		"The supplier fixed the fault on their side; nothing changed here.",
		"An awareness reminder was the right response; no change request raised."}
	consequences = []string{"Low risk of harm: the data was recovered before anyone could use it.",
		"Possible distress to the people affected; no sign of misuse.",
		"Risk of identity fraud is low; the data held no financial details.",
		"Possible harm to the people affected if the information is shared further."}
	measures = []string{"Data recovered and deleted by the recipient; staff briefed.",
		"Device wiped remotely; access reviewed.",
		"Records corrected and access removed; monitoring turned on.",
		"Papers recovered; secure disposal arrangements strengthened."}
	lateReasons = []string{"The scale of the breach was only confirmed after the supplier's log review on day four.",
		"The report reached the DPO late because the officer was on leave; now covered by a deputy.",
		"Initial assessment found no personal data; a later search of the mailbox found it."}
	noNotifyReasons = []string{"Unlikely to result in a risk to people's rights and freedoms: the data was encrypted and the device wiped.",
		"The recipient is a trusted partner who confirmed deletion; risk assessed as low.",
		"The data was recovered unread within the hour; no risk to the people affected."}
	subjectsReasons = []string{"Telling them would cause more worry than the low risk justifies.",
		"The data was recovered unread."}
	reporterNotes = []string{"Thanked the reporter and told them the case is being investigated.",
		"Told the reporter what we found and what has been done.",
		"Confirmed to the reporter that the case is resolved and what they should watch for.",
		"Let the reporter know the outcome and thanked them for reporting quickly."}
	serviceNotes = []string{"Told the service manager that the system is back and what caused the fault.",
		"Gave the service owner the supplier's root-cause summary."}
	minutesNotes = []string{"The group agreed the handling was proportionate.",
		"The group asked for the lesson to go into the next staff bulletin.",
		"Discussed whether the category was right; agreed as recorded.",
		"The group noted the quick response by the service desk."}
	actionTexts = []string{"Add this lesson to the next staff security bulletin",
		"Review the access roles of {team} in {system}",
		"Ask the supplier of {system} for their failover test results",
		"Check confidential waste arrangements at {place}",
		"Update the mobile device guidance and circulate it",
		"Report progress on patching {system} to the next meeting",
		"Arrange refresher data protection training for {team}"}
)

// filler fills a template's slots.
type filler struct {
	system, team, place, device string
	n                           int
}

func (f filler) fill(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	r := strings.NewReplacer("{system}", f.system, "{team}", f.team, "{place}", f.place, "{device}", f.device, "{n}", itoa(f.n))
	out := r.Replace(s)
	return strings.ToUpper(out[:1]) + out[1:]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
