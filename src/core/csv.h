/* csv: RFC 4180 records, read from a buffer (quoted fields, doubled
 * quotes, CRLF or LF line ends, newlines inside quotes). */
#ifndef BR_CSV_H
#define BR_CSV_H
#include <stddef.h>

#include "core/err.h"

struct csv_reader {
	const char *p, *end;
	int record; /* 1-based number of the record last read */
};

void csv_init(struct csv_reader *r, const char *buf, size_t len);
/* Reads the next record into a new array of n new strings (free with
 * csv_fields_free). Returns 1 for a record, 0 at the end, -1 on a
 * malformed record (e names "row N"). Blank lines are skipped. */
int csv_next(struct csv_reader *r, char ***fields, size_t *n, struct err *e);
void csv_fields_free(char **fields, size_t n);

#endif
