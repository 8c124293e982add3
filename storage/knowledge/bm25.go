package knowledge

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/humd/humd/storage"
)

// BM25 parameters: the usual defaults.
const (
	k1 = 1.2
	b  = 0.75
)

// Passage is a ranked piece of a document.
type Passage struct {
	DocID string  `json:"doc_id"`
	Title string  `json:"title"`
	Text  string  `json:"text"`
	Score float64 `json:"score"`
}

// stop words carry no signal in short support questions.
var stop = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an and are as at be by can do does for from have how i in is it me my of on or our so that the this to we what when where which who why will with you your") {
		stop[w] = true
	}
}

func tokens(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !stop[w] {
			out = append(out, stem(w))
		}
	}
	return out
}

// stem folds the commonest English endings so "hours" finds "hour" and
// "opening" finds "open".
func stem(w string) string {
	if len(w) > 5 && strings.HasSuffix(w, "ing") {
		return w[:len(w)-3]
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// passages splits a document into paragraphs; the title counts toward each.
func passages(d *Doc) []Passage {
	var out []Passage
	for _, p := range strings.Split(d.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, Passage{DocID: d.ID, Title: d.Title, Text: p})
		}
	}
	return out
}

// Search ranks the org's passages against query with BM25 and answers the
// best k with a positive score.
func Search(s storage.Store, org, query string, k int) ([]Passage, error) {
	docs, err := all(s, org)
	if err != nil {
		return nil, err
	}
	q := tokens(query)
	if len(q) == 0 || len(docs) == 0 {
		return []Passage{}, nil
	}
	var ps []Passage
	var toks [][]string
	df := map[string]int{}
	total := 0
	for _, d := range docs {
		for _, p := range passages(d) {
			t := tokens(p.Title + " " + p.Text)
			ps, toks = append(ps, p), append(toks, t)
			total += len(t)
			seen := map[string]bool{}
			for _, w := range t {
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
	}
	n := float64(len(ps))
	avg := float64(total) / n
	for i, t := range toks {
		tf := map[string]int{}
		for _, w := range t {
			tf[w]++
		}
		score := 0.0
		for _, w := range q {
			f := float64(tf[w])
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[w])+0.5)/(float64(df[w])+0.5))
			score += idf * f * (k1 + 1) / (f + k1*(1-b+b*float64(len(t))/avg))
		}
		ps[i].Score = math.Round(score*1000) / 1000
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Score > ps[j].Score })
	out := []Passage{}
	for _, p := range ps {
		if p.Score <= 0 || len(out) == k {
			break
		}
		out = append(out, p)
	}
	return out, nil
}

// SearchJSON answers Search as the lookup_knowledge tool's output:
// {"passages":[{doc_id,title,text,score}...]}.
func SearchJSON(s storage.Store, org, query string, k int) (string, error) {
	ps, err := Search(s, org, query, k)
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(map[string]any{"passages": ps})
	return string(raw), err
}
