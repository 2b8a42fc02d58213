package answer

import "math"

// Calibration turns how well the best candidate sentence matches the
// question (its cosine, the strongest signal that the index holds an
// answer at all) into a confidence: Platt scaling, a logistic function
// with a non-negative slope, so confidence never falls as the match
// improves. Threshold is the confidence below which Ask abstains.
type Calibration struct {
	Bias, Slope float64
	Threshold   float64
}

// Confidence is the calibrated probability, in [0, 1], that the answer's
// sentences hold the answer, for a best sentence cosine of cos.
func (c Calibration) Confidence(cos float64) float64 {
	return 1 / (1 + math.Exp(-(c.Bias + max(0, c.Slope)*cos)))
}

// DefaultWeights and DefaultCalibration were fitted with all-MiniLM-L6-v2
// on the 45 dev questions (../shared/eval/seed_answer_questions.jsonl) by
// `go run ./answer/tune`: the weights by a grid search for answer@1, the
// calibration by logistic regression of "the phrase is in one of the
// sentences shown" (unanswerable questions: never) on the best cosine,
// and the threshold midway between the best-matching unanswerable
// question and the next answerable one above it.
var (
	DefaultWeights     = Weights{Cosine: 1, Lexical: 0, Post: 0.4, Chunk: 0.2, Type: 0.1}
	DefaultCalibration = Calibration{Bias: -1.503, Slope: 2.045, Threshold: 0.331}
)
