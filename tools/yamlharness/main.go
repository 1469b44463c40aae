// yamlharness decodes YAML the way the Go side of a Kubernetes toolchain does, to check that
// every YAML katib-gitops writes reads the same under every parser:
//
//   - "v2": go.yaml.in/yaml/v2 (the maintained gopkg.in/yaml.v2, which sigs.k8s.io/yaml and so
//     kubectl use), every document of the stream decoded into interface{};
//   - "v3": go.yaml.in/yaml/v3 (kustomize's kyaml, which Argo CD and Flux build with), the same;
//   - "kubectl": what `kubectl apply -f` sends: the stream split on `---` lines as
//     k8s.io/apimachinery's YAMLReader splits it, each piece through sigs.k8s.io/yaml.YAMLToJSON.
//
// Nothing of those projects is copied here; they are module dependencies.
//
// stdin: one request per line, a JSON array of YAML texts. stdout: one line per request, a JSON
// array with, for each text, {"v2": [doc...] | "v2Error": "...", "v3": ..., "kubectl": [json...]
// | "kubectlError": "..."}. A decoded value keeps its YAML type: null, true/false, "string",
// {"i": "123"} (an integer), {"f": "1e-05"} (a float, Go's shortest form, NaN and ±Inf
// included), {"t": "2001-12-14T00:00:00Z"} (a time), [items], {"m": [[key, value], ...]}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	yaml2 "go.yaml.in/yaml/v2"
	yaml3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

type result struct {
	V2           []any    `json:"v2,omitempty"`
	V2Error      string   `json:"v2Error,omitempty"`
	V3           []any    `json:"v3,omitempty"`
	V3Error      string   `json:"v3Error,omitempty"`
	Kubectl      []string `json:"kubectl,omitempty"`
	KubectlError string   `json:"kubectlError,omitempty"`
}

type decoder interface{ Decode(any) error }

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var texts []string
			if jerr := json.Unmarshal(line, &texts); jerr != nil {
				fmt.Fprintf(os.Stderr, "yamlharness: stdin: %v\n", jerr)
				os.Exit(2)
			}
			results := make([]result, len(texts))
			for i, text := range texts {
				results[i] = decodeAll(text)
			}
			enc, jerr := json.Marshal(results)
			if jerr != nil {
				fmt.Fprintf(os.Stderr, "yamlharness: %v\n", jerr)
				os.Exit(2)
			}
			out.Write(append(enc, '\n'))
			out.Flush()
		}
		if err != nil {
			return
		}
	}
}

func decodeAll(text string) result {
	var r result
	docs, err := stream(yaml2.NewDecoder(strings.NewReader(text)))
	if err != nil {
		r.V2Error = err.Error()
	} else {
		r.V2 = docs
	}
	docs, err = stream(yaml3.NewDecoder(strings.NewReader(text)))
	if err != nil {
		r.V3Error = err.Error()
	} else {
		r.V3 = docs
	}
	r.Kubectl, err = kubectl(text)
	if err != nil {
		r.KubectlError = err.Error()
	}
	return r
}

// stream decodes every document; an empty stream has none. A panic (a decoder bug on odd
// input) is reported as an error rather than ending the harness.
func stream(dec decoder) (docs []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	docs = []any{}
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		docs = append(docs, typed(v))
	}
}

// kubectl splits the stream where a line starts with `---` (followed by nothing but spaces or
// a comment), as apimachinery's YAMLReader does, and converts each non-empty piece to JSON.
func kubectl(text string) (docs []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	docs = []string{}
	var piece strings.Builder
	flush := func() error {
		if piece.Len() == 0 {
			return nil
		}
		js, err := yaml.YAMLToJSON([]byte(piece.String()))
		if err != nil {
			return err
		}
		docs = append(docs, string(js))
		piece.Reset()
		return nil
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, "---") {
			rest := strings.TrimSpace(line[3:])
			if rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, fmt.Errorf("invalid Yaml document separator: %s", rest)
			}
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		piece.WriteString(line)
	}
	return docs, flush()
}

func typed(v any) any {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case int:
		return map[string]string{"i": strconv.Itoa(x)}
	case int64:
		return map[string]string{"i": strconv.FormatInt(x, 10)}
	case uint64:
		return map[string]string{"i": strconv.FormatUint(x, 10)}
	case float64:
		return map[string]string{"f": strconv.FormatFloat(x, 'g', -1, 64)}
	case time.Time:
		return map[string]string{"t": x.Format(time.RFC3339Nano)}
	case []any:
		items := make([]any, len(x))
		for i, item := range x {
			items[i] = typed(item)
		}
		return items
	case map[any]any:
		pairs := make([][2]any, 0, len(x))
		for k, item := range x {
			pairs = append(pairs, [2]any{typed(k), typed(item)})
		}
		return map[string]any{"m": pairs}
	case map[string]any:
		pairs := make([][2]any, 0, len(x))
		for k, item := range x {
			pairs = append(pairs, [2]any{k, typed(item)})
		}
		return map[string]any{"m": pairs}
	default:
		return map[string]string{"?": fmt.Sprintf("%T %v", x, x)}
	}
}
