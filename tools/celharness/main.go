// celharness evaluates Flux health-check expressions (Kustomization.spec.healthCheckExprs) with
// Flux's own evaluator, github.com/fluxcd/pkg/runtime/cel, wired the way kustomize-controller
// wires it: cel.NewStatusReader(spec.healthCheckExprs), then the kstatus status reader it returns
// reads each object. Nothing of Flux is copied here; it is a module dependency.
//
// stdin:  {"healthCheckExprs": [CustomHealthCheck, ...], "objects": [object, ...]}
// stdout: [{"status": "Current"|"InProgress"|"Failed"|"Unknown", "error": "..."}, ...]
// A rejected expression list (what kustomize-controller reports as InvalidCELExpression) is
// printed on stderr with exit code 3.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/runtime/cel"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type input struct {
	HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
	Objects          []map[string]any              `json:"objects"`
}

type result struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"` // why the status is Unknown
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "celharness: "+format+"\n", args...)
	os.Exit(code)
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(2, "reading stdin: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field would silently drop an expression
	dec.UseNumber()
	var in input
	if err := dec.Decode(&in); err != nil {
		fail(2, "stdin: %v", err)
	}
	newReader, err := cel.NewStatusReader(in.HealthCheckExprs)
	if err != nil {
		fail(3, "%v", err)
	}
	reader := newReader(nil) // the REST mapper is only used to look objects up in a cluster
	ctx := context.Background()
	out := make([]result, len(in.Objects))
	for i, obj := range in.Objects {
		u := &unstructured.Unstructured{Object: toInt64(obj).(map[string]any)}
		rs, err := reader.ReadStatusForObject(ctx, nil, u)
		if err != nil {
			fail(2, "objects[%d]: %v", i, err)
		}
		out[i] = result{Status: rs.Status.String(), Message: rs.Message}
		if rs.Error != nil {
			out[i].Error = rs.Error.Error()
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail(2, "%v", err)
	}
}

// toInt64 turns JSON numbers into int64 or float64, as the API server's JSON decoding
// (k8s.io/apimachinery's unstructured converter) hands them to the controllers.
func toInt64(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = toInt64(e)
		}
	case []any:
		for i, e := range t {
			t[i] = toInt64(e)
		}
	}
	return v
}
