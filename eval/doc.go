// Package eval measures retrieval quality: it loads test collections in the
// BEIR layout and the seed questions, runs a search function over them, and
// scores the rankings the way trec_eval / pytrec_eval (and so BEIR) do:
// nDCG@10, MRR@10, Recall@10 and Recall@100.
//
// Two deliberate choices, both matching ../shared/tools/bm25_eval.py:
//   - A hit whose document id equals the query id is never dropped (BEIR's
//     ignore_identical_ids is meant for ArguAna/Quora; in the classic
//     collections query and document ids share one number space).
//   - Only queries with at least one relevant (grade > 0) judgment are scored;
//     a judged query with no text or no results scores 0.
//
// Run is the body of `semsearch eval --dataset`, RunQuestions of
// `--questions`; scripts/bench-quality.sh tabulates every dataset and mode.
// eval/tune (a command) compares search.Options variants on the indexes
// `semsearch eval` leaves in its work directories.
package eval
