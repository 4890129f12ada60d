/* catalogue: the baseline table (see catalogue.h). Titles follow the
 * policy's own wording so that explanations quote it. */
#include "core/catalogue.h"

#include <string.h>

const struct catalogue_entry catalogue_baseline[] = {
	{"pass-lost", "Loss of a building pass, ID card or other security card", SEV_MINOR,
	 CTL_PHYSICAL_ACCESS, 0},
	{"pass-not-worn", "Failure to wear a security pass in a pass-controlled building",
	 SEV_MINOR, CTL_PHYSICAL_ACCESS, 0},
	{"workstation-unlocked", "Not locking a workstation when away from the desk", SEV_MINOR,
	 CTL_IT_ACCESS, 0},
	{"circumstances-unreported",
	 "Security-cleared person did not tell their manager of a change in personal "
	 "circumstances (marriage, address, divorce)",
	 SEV_MINOR, CTL_PERSONNEL_SECURITY, TYPE_CIRCUMSTANCES},
	{"pass-misuse",
	 "Misuse of building or security passes, incl. borrowing or lending (esp. Palace of "
	 "Westminster or sensitive-area passes)",
	 SEV_SERIOUS, CTL_PHYSICAL_ACCESS, TYPE_ACCESS},
	{"account-sharing", "Unauthorised password or account sharing", SEV_SERIOUS,
	 CTL_IT_ACCESS, TYPE_ACCESS},
	{"official-docs-unsecured", "Failure to secure documents classified OFFICIAL",
	 SEV_SERIOUS, CTL_INFORMATION_HANDLING, 0},
	{"official-material-lost",
	 "Negligence leading to loss of OFFICIAL classified documents or assets", SEV_SERIOUS,
	 CTL_INFORMATION_HANDLING, 0},
	{"personal-data-release",
	 "Non-compliance leading to loss or unauthorised release of significant amounts of "
	 "personal data",
	 SEV_SERIOUS, CTL_DATA_PROTECTION, 0},
	{"cabinet-unlocked", "Failure to lock security cabinets", SEV_SERIOUS,
	 CTL_PHYSICAL_SECURITY, 0},
	{"portable-asset-lost",
	 "Negligence leading to loss of portable assets (laptops, mobile phones, similar)",
	 SEV_SERIOUS, CTL_ASSET_MANAGEMENT, 0},
	{"equipment-abroad", "Taking IT or communications equipment out of the UK without authority",
	 SEV_SERIOUS, CTL_ASSET_MANAGEMENT, 0},
	{"asset-misuse", "Misuse of assets or sensitive information", SEV_SERIOUS, CTL_CONDUCT,
	 TYPE_ASSET_MISUSE},
	{"significant-circumstances-unreported",
	 "Security-cleared person did not report a significant change (civil proceedings, "
	 "arrest, criminal conviction, incl. of a partner or close relative)",
	 SEV_SERIOUS, CTL_PERSONNEL_SECURITY, TYPE_CIRCUMSTANCES},
	{"classified-disclosure", "Unauthorised disclosure of classified material to third parties",
	 SEV_GROSS, CTL_INFORMATION_HANDLING, 0},
	{"secret-material-breach",
	 "Negligence and non-compliance leading to a breach involving SECRET, TOP SECRET or STRAP "
	 "material",
	 SEV_GROSS, CTL_INFORMATION_HANDLING, 0},
	{"criminal-act", "Any criminal act, including fraud, theft or assault", SEV_GROSS,
	 CTL_CONDUCT, TYPE_CRIMINAL},
	{"it-policy-serious-breach",
	 "Serious breach of web browsing, IT or electronic communications policy", SEV_GROSS,
	 CTL_IT_USE, 0},
	{"clear-desk-failure", "Failure to comply with clear desk policy", SEV_UNGRADED,
	 CTL_PHYSICAL_SECURITY, 0},
	{"sensitive-info-unprotected", "Failure to protect sensitive information or assets",
	 SEV_UNGRADED, CTL_INFORMATION_HANDLING, 0},
	{"other", "Any other breach (the lists are not exhaustive)", SEV_UNGRADED, CTL_OTHER, 0},
};

const size_t catalogue_baseline_count = sizeof catalogue_baseline / sizeof catalogue_baseline[0];

const struct catalogue_entry *catalogue_find(const char *code)
{
	for (size_t i = 0; i < catalogue_baseline_count; i++)
		if (strcmp(catalogue_baseline[i].code, code) == 0)
			return &catalogue_baseline[i];
	return NULL;
}
