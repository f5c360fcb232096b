/* Lookups in the mail status-code tables. The tables are generated at build time
 * from the tables/ TSV files (copies of the shared reference tables) by
 * tables/gen_code_tables.py: one table, one lookup function. */
#ifndef MAILX_CODE_TABLES_H
#define MAILX_CODE_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 3463 registered title of detail code X.subject.detail, NULL if not registered. */
const char *mailx_enhanced_detail_title(unsigned subject, unsigned detail);
/* Title of the subject X.subject.XXX ("Mailbox Status"), NULL if not registered. */
const char *mailx_enhanced_subject_title(unsigned subject);
/* Title of the class ("Persistent Transient Failure"), NULL for other than 2/4/5. */
const char *mailx_enhanced_class_title(unsigned klass);

/* SMTP basic reply code meaning (RFC 5321 s4.2.3 and extensions) from
 * rfc5321-reply.tsv, NULL if the code is not in the table. */
const char *mailx_smtp_basic_title(unsigned code);

/* IMAP response code (ALERT, AUTHENTICATIONFAILED ...) and POP3 response code
 * (SYS/TEMP, IN-USE ...): meaning and mailx_hint columns; NULL if unknown.
 * `name` need not be NUL-terminated; matching is case-insensitive (RFC 3501 s9:
 * atoms are case-insensitive). */
const char *mailx_imap_code_meaning(const char *name, size_t len);
const char *mailx_imap_code_hint(const char *name, size_t len);
const char *mailx_pop_code_meaning(const char *name, size_t len);
const char *mailx_pop_code_hint(const char *name, size_t len);

/* For the "every row reachable" test: number of rows and the i-th key. */
size_t mailx_enhanced_detail_count(void);
void   mailx_enhanced_detail_key(size_t i, unsigned *subject, unsigned *detail);
size_t mailx_smtp_basic_count(void);
unsigned mailx_smtp_basic_key(size_t i);
size_t mailx_imap_code_count(void);
const char *mailx_imap_code_key(size_t i);
size_t mailx_pop_code_count(void);
const char *mailx_pop_code_key(size_t i);

#endif
