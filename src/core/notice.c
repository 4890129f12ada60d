/* notice: breach notices and warning records (see notice.h). */
#include "core/notice.h"
#include "core/jsonx.h"

#include <stdlib.h>
#include <string.h>

void notice_init(struct notice *n)
{
	memset(n, 0, sizeof *n);
	n->issued_on = n->acknowledge_by = n->acknowledged_on = DATE_NONE;
}

void notice_release(struct notice *n)
{
	free(n->body);
	n->body = NULL;
}

void notice_list_free(struct notice *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		notice_release(&list[i]);
	free(list);
}

json_t *notice_to_json(const struct notice *n)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "number", n->number, "ref",
			      n->ref, "subject", n->subject, "severity",
			      vocab_name(&vocab_severity, n->severity), "issued_on",
			      jsonx_date_value(n->issued_on), "acknowledge_by", jsonx_date_value(n->acknowledge_by),
			      "acknowledged_on", jsonx_date_value(n->acknowledged_on), "issued_by",
			      n->issued_by);
	json_t *doc = n->body ? json_loads(n->body, 0, NULL) : NULL;
	if (doc)
		json_object_set_new(o, "document", doc);
	return o;
}

void warning_record_list_free(struct warning_record *list, size_t n)
{
	(void)n;
	free(list);
}
