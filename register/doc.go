// Package register is the domain of a council's information-security
// incident register: the files a register repository holds, the
// council's policy as a workflow, and the checker that reports every
// problem as "path:line: message", like a compiler.
//
// The package reads through [io/fs.FS] and returns values and
// [Findings]; it never prints. [Load] reads a whole register and
// [Register.Check] judges it. The parsers [ParseCase], [ParseMinutes],
// [ParseSettings], [ParsePeople] and [ParseWorkflow] take an [io.Reader]
// and return findings with lines but no path; the caller, who knows the
// file, adds it with [Findings.In]. § numbers below point into the
// council's Information Security Incident Policy.
//
// # Register layout
//
// A register is an ordinary Git repository:
//
//	register.yaml                                  settings (see "register.yaml" below)
//	people.yaml                                    people and their roles
//	keys/<person-id>.asc                           each person's armored OpenPGP public key
//	workflow.yaml                                  optional: replaces the built-in workflow
//	cases/2026/INC-2026-0007/case.md               a case: YAML front matter + Markdown narrative
//	cases/2026/INC-2026-0007/evidence/E01-x.pgp    its evidence, OpenPGP-encrypted
//	minutes/2026/2026-11-05.md                     ITPARG minutes: YAML front matter + Markdown
//
// Cases and minutes sit in a folder per year, so no Git tree grows to
// thousands of entries. Anything else under cases/ or minutes/ is a
// finding ("stray file"). A case's folder is named after its id and sits
// in the folder of the id's year; ids are never reused or changed.
//
// # Documents and strict YAML
//
// Case and minutes files start on line 1 with a line "---", then YAML
// fields, then a closing "---"; the Markdown after it is the narrative.
// The YAML is decoded strictly, and each of these is a finding with its
// line: an unknown field (with a suggestion when one is close), a value
// of the wrong type, a time that is not RFC 3339 or a date that is not
// YYYY-MM-DD, a value outside its vocabulary, a field given twice, YAML
// anchors and aliases (refused outright: an alias bomb multiplies a few
// lines into gigabytes), tabs used for indentation, missing, empty or
// unclosed front matter, front matter after a blank line, a byte-order
// mark, CR or CRLF line ends, NUL bytes and invalid UTF-8. A case or
// minutes file may be at most [MaxDocument] bytes with at most
// [MaxFrontMatter] of front matter; register.yaml, people.yaml and
// workflow.yaml at most [MaxYAMLFile]. Times are written like
// 2026-11-05T14:30:00Z or 2026-11-05T14:30:00+01:00; dates like
// 2026-11-05.
//
// adrg/frontmatter splits a document; gopkg.in/yaml.v3 defines what its
// YAML means and words every YAML error. Front matter in the plain block
// YAML that register files keep to (block mappings and lists, one-line
// plain and quoted values and flow lists, literal text) is parsed by
// [github.com/council/register/register/yamlblock] straight into the
// node tree yaml.v3 would build, several times faster; any other YAML
// goes to yaml.v3. The two trees are held equal by a differential test
// and a fuzz target.
//
// # Case files
//
// cases/YYYY/ID/case.md. Field by field (type; meaning; policy):
//
//   - id: text INC-YYYY-NNNN (the prefix is register.yaml's id_prefix);
//     equals the folder name, which sits in the folder of its year;
//     never reused. Required.
//   - title: text; a short title with no personal data. Required.
//   - status: a state of the workflow (built in: reported, triaged,
//     investigating, resolved, reviewed, closed). Required.
//   - reported_at: time; when the council became aware. It starts the
//     ICO 72-hour clock (§6.3, UK GDPR Art. 33(1)). Required.
//   - reported_by: person id or free text; the reporting employee
//     (§7.25). Required.
//   - reported_to: list of line-manager, img-rep, service-desk; whom it
//     was first reported to (§5.1, §5.2).
//   - line_manager: person id or free text; the reporter's line manager
//     (may investigate hard-copy cases, §7.12).
//   - category: one of event, weakness, incident, unknown (§4.2). After
//     triage only ITPARG changes it, recording review.reclassified_from
//     (§7.10).
//   - types: list from the §4.6 vocabulary: theft-or-loss,
//     physical-security, malware, unsolicited-mail,
//     unauthorised-disclosure, system-malfunction, inadequate-disposal,
//     password-exposure, non-compliance, inappropriate-record-access,
//     chain-letter, credential-misuse, other.
//   - impact: list of confidentiality, integrity, availability (§4.1).
//   - personal_data: true or false; personal data is involved, so the
//     SIMO investigates (§7.19) and the DPO decides on the ICO (§6.3).
//   - hard_copy: true or false; paper records are involved (§7.12).
//   - service_affecting: true or false; the service owner must be told
//     (§7.16).
//   - major: true or false; a major incident.
//   - investigator: person id from people.yaml (§6.2).
//   - audiences: list of audience names from register.yaml; overrides who
//     may see the case on the site.
//   - notified: mapping of duty to time, for the duties service_desk
//     (§5.2), img (§7.21), internal_audit (§7.17), itparg, service_owner
//     (§7.16), simo (§7.19).
//   - ico: the DPO's decision on telling the Information Commissioner
//     (§6.3, UK GDPR Art. 33): decision (pending, notify or no-notify),
//     decided_by (a person with the dpo role), decided_at (time),
//     notified_at (time; only with notify; within 72 hours of
//     reported_at or give late_reason), reference (the ICO's), reason
//     (why not, for no-notify: Art. 33(5) wants it recorded), late_reason.
//   - breach: for personal-data cases, what the ICO's form asks (Art.
//     33(3), Art. 34): occurred_at (time; when the breach happened, as
//     far as is known; not after reported_at), data_categories (list of text), special_category
//     (true or false), people_affected and records_affected (whole
//     numbers, approximate), consequences, measures (text), subjects_told
//     (yes, no or pending) and subjects_reason (text; needed with no).
//   - changes: list of change-management references (§4.5).
//   - no_change_reason: text; why no change was needed instead (§4.5).
//     Give changes or no_change_reason, not both.
//   - resolution: text; what was done (§7.11).
//   - review: ITPARG's review (§7.8–7.10): minutes (the minutes' id, e.g.
//     2026-11-05; those minutes must list the case) and reclassified_from
//     (the category before ITPARG reclassified it).
//   - lessons: list of text; lessons learned (§7.9). "lessons: []"
//     records that there were none.
//   - evidence: list of encrypted evidence files (§6.4–6.6; ISO/IEC
//     27037), each with file (E01-short-name.pgp in the case's evidence
//     folder; no folders), sha256 (64 lowercase hex digits of the
//     plaintext), size (bytes), collected_by (person id), collected_at
//     (time), description (text) and custody: an append-only list of at
//     (time), by (person id), action (collected, decrypted, transferred,
//     re-encrypted) and reason (needed for decrypted). The chain starts
//     with collected and runs forward in time. Every entry has its file
//     and every file its entry.
//   - updates: list of progress reports: at (time), by (person id), to
//     (reporter, service, …) and note (text) (§7.14, §7.15).
//
// The narrative after the front matter says what happened, the symptoms
// and error messages (§5.3) and the investigation. Titles and narratives
// carry no personal data; that belongs in evidence.
//
// # Minutes files
//
// minutes/YYYY/YYYY-MM-DD.md, named after the meeting date (a second
// meeting that day adds a suffix: 2026-11-05-extra.md). The stem is the
// minutes' id, which cases name in review.minutes. Fields:
//
//   - date: date of the meeting; must match the file name. Required.
//   - title: text.
//   - chair: person id or name. Required.
//   - secretary: person id or name.
//   - attendees, apologies: lists of person ids or names.
//   - cases: list of the cases reviewed (§7.8–7.10): id (an existing
//     case), decision (accepted, reclassified, reopened, deferred),
//     reclassified_from and reclassified_to (categories; both, and
//     different, for a reclassification, and the case file must agree:
//     category equals reclassified_to and review.reclassified_from equals
//     reclassified_from, while these minutes are the case's latest
//     review), lessons (list of text) and note.
//   - actions: list of actions set (§7.9): id (unique in the minutes),
//     action (text), owner, due (date), status (open, done, dropped),
//     case (an existing case id, optional) and done (date).
//   - register_head: the full commit hash of the register the group
//     reviewed; the audit checks it is still in the history.
//   - audiences: as for cases.
//
// # register.yaml
//
// The register's settings. Only name is required; the rest has defaults.
//
//   - name: text; the register's name. Required.
//   - organisation: text; the council.
//   - id_prefix: 1–10 capital letters or digits starting with a letter
//     (default INC).
//   - time_zone: an IANA time zone such as Europe/London (the default).
//   - main_branch: the branch the register publishes (default main).
//   - deadlines: ico_hours (default 72, UK GDPR Art. 33(1)), triage_hours
//     (default 24), review_days (default 90).
//   - audiences: list of site audiences: name (lowercase letters, digits
//     and dashes; names a folder of the site), title and roles (the roles
//     of people.yaml who belong to it). Default: itparg, simo (simo and
//     dpo), business-it, img, audit.
//   - visibility: the roles that see cases by default: personal_data
//     (default simo, dpo, itparg, audit) and other (those plus
//     business-it and img).
//   - signing: required (true or false, default true) and branches
//     (default the main branch): where every commit must be signed by
//     its author's key.
//   - evidence: roles (default simo): whose holders receive every
//     evidence file, besides the case's investigator.
//
// # people.yaml
//
// A mapping with one field, people: a list of
//
//   - id: lowercase letters, digits and dashes; unique.
//   - name: text. Required.
//   - email: a plain address, unique ignoring case; commit authors are
//     matched to people by it.
//   - roles: list of role names; at least one. The built-in workflow and
//     visibility rules use business-it, simo, dpo, itparg, img and
//     audit; a register may add others for its own workflow.
//   - key: path of the person's armored OpenPGP public key, inside the
//     register (default keys/<id>.asc). Every person needs one.
//   - left: date the person left; they keep authorship of old commits
//     but receive no new evidence.
//
// # workflow.yaml
//
// The states a case moves through and the transitions between them. The
// built-in workflow (this package's workflow.yaml) is the council's
// policy; a register's own workflow.yaml replaces it whole. Fields:
//
//   - states: list of name (lowercase letters, digits and dashes),
//     initial (exactly one state is true: new cases start there), open
//     (cases still being worked on) and requires (requirement names that
//     every case in the state meets).
//   - transitions: list of from, to (states), roles (who may make it: a
//     role of people.yaml, or "investigator", meaning the case's
//     investigator) and requires (requirements of this road beyond those
//     of the state it enters).
//
// A case in a state must meet the state's requirements and, where the
// roads into the state ask more, those of at least one road: a closed
// case either was an event without personal data closed after triage or
// has its lessons recorded after review.
//
// The requirements a workflow may name, with the § they enforce:
//
//   - category (§4.2): a category is set.
//   - types (§4.6): at least one type.
//   - impact (§4.1): at least one impact.
//   - investigator (§6.2): an investigator is named.
//   - personal-data-investigator (§6.2, §7.19): a personal-data case is
//     investigated by a person with the simo role.
//   - hard-copy-investigator (§6.6, §7.12): a hard-copy case is
//     investigated by the SIMO or the line manager.
//   - event-without-personal-data (§4.2, §6.2): the category is event and
//     there is no personal data (the shortcut from triage to closed).
//   - resolution (§7.11): a resolution is written.
//   - changes (§4.5): changes or a no_change_reason.
//   - ico-decision (§6.3, Art. 33): a personal-data case has an ICO
//     decision of notify or no-notify, decided_by a person with the dpo
//     role, decided_at, and a reason when not notifying.
//   - ico-deadline (§6.3, Art. 33(1)): a notify decision has notified_at
//     within deadlines.ico_hours of reported_at, or a late_reason.
//   - breach-details (Art. 33(3), Art. 34): a personal-data case has
//     breach data_categories, people_affected, consequences, measures and
//     subjects_told, with subjects_reason when no.
//   - service-owner-notified (§7.16): a service-affecting case has
//     notified.service_owner.
//   - internal-audit-notified (§7.17): an incident has
//     notified.internal_audit.
//   - img-notified (§7.21): an incident has notified.img.
//   - reporter-updated (§7.14): at least one update to the reporter.
//   - review-minutes (§7.8): review.minutes names minutes that list the
//     case.
//   - category-known (§4.2, §7.10): the category is not unknown.
//   - lessons (§7.9): lessons are recorded, or "lessons: []".
//   - reopen-reason (§7.10): the change that reopens a case adds an
//     update giving the reason.
//
// [Requirements] lists them. A finding about a missing requirement reads
// "status resolved needs a resolution (§7.11)" and points at the field,
// or at status when the field is absent.
package register
