// Command crosscheck runs the real Go code (sigs.k8s.io/json + encoding/json,
// runtime.DefaultUnstructuredConverter, resource.Quantity, mattbaird/jsonpatch
// and Katib's trial-template Job check) over a corpus of cases and prints the
// results as JSON. The output is checked in as test fixtures under
// tests/unit/kubetypes/data/, so the Python tests compare against Go without
// needing Go at test time.
//
// Dev-only. Usage (from tools/gotypes):
//
//	go run ./crosscheck < crosscheck/cases.json > ../../tests/unit/kubetypes/data/go_expected.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	experimentsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1"
	suggestionsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/suggestions/v1beta1"
	trialsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/trials/v1beta1"
	katibutil "github.com/kubeflow/katib/pkg/controller.v1beta1/util"
	trainerv1alpha1 "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1"
	kubeflowv1 "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1"
	jsonpatch "github.com/mattbaird/jsonpatch"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsjson "sigs.k8s.io/json"
)

var registry = map[string]reflect.Type{}

func register(vs ...interface{}) {
	for _, v := range vs {
		t := reflect.TypeOf(v)
		registry[t.PkgPath()+"."+t.Name()] = t
	}
}

func init() {
	register(
		experimentsv1beta1.Experiment{}, experimentsv1beta1.FeasibleSpace{}, trialsv1beta1.Trial{},
		suggestionsv1beta1.Suggestion{}, batchv1.Job{}, corev1.Pod{}, corev1.ConfigMap{},
		corev1.Namespace{}, corev1.Container{}, corev1.ResourceRequirements{}, corev1.Probe{},
		kubeflowv1.TFJob{}, kubeflowv1.PyTorchJob{}, kubeflowv1.MPIJob{}, kubeflowv1.XGBoostJob{},
		trainerv1alpha1.TrainJob{},
	)
}

type Case struct {
	ID    string          `json:"id"`
	Op    string          `json:"op"`
	Type  string          `json:"type,omitempty"`
	Input json.RawMessage `json:"input"`
	B     json.RawMessage `json:"b,omitempty"`
}

type Out struct {
	ID         string          `json:"id"`
	Op         string          `json:"op"`
	Type       string          `json:"type,omitempty"`
	Input      json.RawMessage `json:"input"`
	B          json.RawMessage `json:"b,omitempty"`
	Error      *string         `json:"error"`
	Value      json.RawMessage `json:"value,omitempty"`
	Unknown    []string        `json:"unknown,omitempty"`
	Ops        []patchOp       `json:"ops,omitempty"`
	Violations []patchOp       `json:"violations,omitempty"`
}

type patchOp struct {
	Op    string      `json:"op"`
	Path  string      `json:"path"`
	Value interface{} `json:"value,omitempty"`
}

func strp(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func newOf(name string) interface{} {
	t, ok := registry[name]
	if !ok {
		panic("unknown type " + name)
	}
	return reflect.New(t).Interface()
}

func marshal(v interface{}) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		s := fmt.Sprintf("%q", "marshal error: "+err.Error())
		return json.RawMessage(s)
	}
	return b
}

func sortedOps(ops []jsonpatch.JsonPatchOperation) []patchOp {
	out := make([]patchOp, 0, len(ops))
	for _, o := range ops {
		out = append(out, patchOp{Op: o.Operation, Path: o.Path, Value: o.Value})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Op < out[j].Op
	})
	return out
}

func run(c Case) Out {
	o := Out{ID: c.ID, Op: c.Op, Type: c.Type, Input: c.Input, B: c.B}
	switch c.Op {
	case "json":
		obj := newOf(c.Type)
		o.Error = strp(sigsjson.UnmarshalCaseSensitivePreserveInts(c.Input, obj))
		o.Value = marshal(obj)
		strict, _ := sigsjson.UnmarshalStrict(c.Input, newOf(c.Type), sigsjson.DisallowUnknownFields)
		for _, e := range strict {
			o.Unknown = append(o.Unknown, e.Error())
		}
	case "unstructured":
		var u map[string]interface{}
		if err := utiljson.Unmarshal(c.Input, &u); err != nil {
			panic(err)
		}
		obj := newOf(c.Type)
		o.Error = strp(runtime.DefaultUnstructuredConverter.FromUnstructured(u, obj))
		o.Value = marshal(obj)
		var u2 map[string]interface{}
		_ = utiljson.Unmarshal(c.Input, &u2)
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u2, newOf(c.Type), true); err != nil && o.Error == nil {
			o.Unknown = append(o.Unknown, err.Error())
		}
	case "quantity": // input: the raw JSON text handed to UnmarshalJSON, as a JSON string
		var raw string
		if err := json.Unmarshal(c.Input, &raw); err != nil {
			panic(err)
		}
		var q resource.Quantity
		o.Error = strp(q.UnmarshalJSON([]byte(raw)))
		if o.Error == nil {
			o.Value = marshal(q)
		}
	case "float": // encoding/json text and fmt's %v of a float64
		var f float64
		if err := json.Unmarshal(c.Input, &f); err != nil {
			panic(err)
		}
		text, _ := json.Marshal(f)
		v, _ := json.Marshal(fmt.Sprintf("%v", f))
		o.Value = json.RawMessage(fmt.Sprintf(`{"json":%q,"v":%s}`, text, v))
	case "patch":
		ops, err := createPatch(c.Input, c.B)
		o.Error = strp(err)
		o.Ops = sortedOps(ops)
	case "validate":
		o.Error, o.Violations, o.Value = validate(c.Input)
	default:
		panic("unknown op " + c.Op)
	}
	return o
}

// validate mirrors Katib's DefaultValidator.validateTrialJob/validatePatchJob
// (pkg/webhook/v1beta1/experiment/validator/validator.go at v0.19.0), which
// are unexported. Go's map order makes the reported operation random, so all
// offending operations are returned, sorted.
func validate(raw json.RawMessage) (*string, []patchOp, json.RawMessage) {
	runSpec, err := katibutil.ConvertStringToUnstructured(string(raw))
	if err != nil {
		s := "V-31: " + err.Error()
		return &s, nil, nil
	}
	gvk := runSpec.GroupVersionKind()
	if gvk.GroupVersion() != batchv1.SchemeGroupVersion || gvk.Kind != "Job" {
		return nil, nil, nil
	}
	batchJob := batchv1.Job{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(runSpec.Object, &batchJob); err != nil {
		s := fmt.Sprintf("unable to convert spec.TrialTemplate: %v to %v: %v", runSpec.Object, gvk.Kind, err)
		return &s, nil, nil
	}
	before, _ := json.Marshal(runSpec.Object)
	after, _ := json.Marshal(batchJob)
	ops, err := createPatch(after, before)
	if err != nil {
		s := "create patch error: " + err.Error()
		return &s, nil, after
	}
	var bad []patchOp
	for _, op := range sortedOps(ops) {
		if op.Op != "remove" && !strings.Contains(op.Path, "/resources/limits/") && !strings.Contains(op.Path, "/resources/requests/") {
			bad = append(bad, op)
		}
	}
	if len(bad) > 0 {
		s := fmt.Sprintf("unable to convert: %v - %v to %v", bad[0].Path, bad[0].Value, gvk.Kind)
		return &s, bad, after
	}
	return nil, nil, after
}

// createPatch is jsonpatch.CreatePatch with its panics turned into errors.
func createPatch(a, b []byte) (ops []jsonpatch.JsonPatchOperation, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return jsonpatch.CreatePatch(a, b)
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	var cases []Case
	if err := json.Unmarshal(data, &cases); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, c := range cases {
		b, err := json.Marshal(run(c))
		if err != nil {
			panic(err)
		}
		buf.Write(b)
		if i < len(cases)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	os.Stdout.Write(buf.Bytes())
}
