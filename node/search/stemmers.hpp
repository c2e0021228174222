// The stemmers of the search index, one per text language. Every word in Arabic script goes to
// the Arabic light stemmer (arabic_analysis.hpp) whatever the text's language, so an Arabic
// name in a French text and the same name in an Arabic query meet; every other word goes to the
// Snowball stemmer of the text's language (English, French, Spanish) or is left as it is (any
// other language, and Latin-script words inside Arabic texts).
//
// Threads: a Xapian::Stem holds Snowball state; use each returned object on one thread.
#pragma once

#include <string_view>
#include <vector>

#include <xapian.h>

namespace ifex {

// The stemmer for texts (and queries) in `lang`, an ISO 639-1 code; unknown codes and "" give
// the no-stemming variant (Arabic-script words are still stemmed).
Xapian::Stem stemmer_for(std::string_view lang);

// The languages parsed against when a query names none: each one with its own stemmer, and ""
// (words as typed) for texts in languages without a stemmer.
const std::vector<std::string_view>& default_query_languages();

}  // namespace ifex
