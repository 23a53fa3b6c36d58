-- Schema 6: the book bag's pick list at consortium scale (issue 11) — searched, not scanned.
-- The wished genres and subjects find their titles by term (in lower case, as the
-- interview gives them); without wishes the branch's shelf is read by format. Each
-- index is partial or narrow, so a checkout or an import pays little for it.

CREATE INDEX record_terms_lower ON record_terms(lower(term));
CREATE INDEX items_shelf ON items(home_branch, format) WHERE loanable = 1 AND transit_to IS NULL;
