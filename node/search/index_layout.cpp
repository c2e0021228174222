#include "node/search/index_layout.hpp"

#include <vector>

namespace ifex::index_layout {

void upgrade(Xapian::WritableDatabase& db, unsigned batch) {
  if (db.get_metadata(layout_key) == current_layout) return;
  unsigned pending = 0;
  // Document numbers are read first: replacing documents while walking the posting list of
  // all documents would walk a list that changes under it.
  std::vector<Xapian::docid> ids;
  ids.reserve(db.get_doccount());
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) ids.push_back(*it);
  for (Xapian::docid id : ids) {
    Xapian::Document doc = db.get_document(id);
    if (!doc.get_value(sort_slot).empty()) continue;
    doc.add_value(sort_slot, sort_value(doc.get_value(date_slot), doc.get_data()));
    db.replace_document(id, doc);
    if (++pending == batch) {
      db.commit();
      pending = 0;
    }
  }
  db.set_metadata(layout_key, current_layout);
  db.commit();
}

}  // namespace ifex::index_layout
