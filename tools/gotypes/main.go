// Command gotypes walks real Kubernetes, Katib and Kubeflow Go types with reflect
// and prints a JSON type table that compiler/kubetypes uses to emulate Go's JSON
// semantics (encoding/json, sigs.k8s.io/json, runtime.DefaultUnstructuredConverter)
// in Python.
//
// Why reflect and not source parsing: reflect sees exactly what encoding/json sees
// (exported fields, embedding, tags, method sets), so the table cannot drift from
// the behaviour it describes.
//
// Usage: cd tools/gotypes && go run . > ../../compiler/data/gotypes.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	experimentsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1"
	suggestionsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/suggestions/v1beta1"
	trialsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/trials/v1beta1"
	trainerv1alpha1 "github.com/kubeflow/trainer/v2/pkg/apis/trainer/v1alpha1"
	kubeflowv1 "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// roots are the types the Python side may be asked about directly.
var roots = []reflect.Type{
	reflect.TypeOf(experimentsv1beta1.Experiment{}),
	reflect.TypeOf(trialsv1beta1.Trial{}),
	reflect.TypeOf(suggestionsv1beta1.Suggestion{}),
	reflect.TypeOf(batchv1.Job{}),
	reflect.TypeOf(corev1.Pod{}),
	reflect.TypeOf(corev1.ConfigMap{}),
	reflect.TypeOf(corev1.Namespace{}),
	reflect.TypeOf(kubeflowv1.TFJob{}),
	reflect.TypeOf(kubeflowv1.PyTorchJob{}),
	reflect.TypeOf(kubeflowv1.MPIJob{}),
	reflect.TypeOf(kubeflowv1.XGBoostJob{}),
	reflect.TypeOf(trainerv1alpha1.TrainJob{}),
}

// specials are the types with custom JSON (un)marshalers that the Python side
// implements by hand. Any other type with a custom marshaler is a hard error,
// so a new one cannot slip in unnoticed when versions are bumped.
var specials = map[string]string{
	"k8s.io/apimachinery/pkg/api/resource.Quantity":                      "Quantity",
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString":                    "IntOrString",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":                          "Time",
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":                     "MicroTime",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Duration":                      "Duration",
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":                      "RawJSON",
	"k8s.io/apimachinery/pkg/runtime.RawExtension":                       "RawJSON",
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.JSON":      "RawJSON",
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.Unstructured":     "Unstructured",
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.UnstructuredList": "UnstructuredList",
}

var (
	marshalerT       = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	unmarshalerT     = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textMarshalerT   = reflect.TypeOf((*interface{ MarshalText() ([]byte, error) })(nil)).Elem()
	textUnmarshalerT = reflect.TypeOf((*interface{ UnmarshalText([]byte) error })(nil)).Elem()
)

// Field is one struct field as encoding/json sees it, before flattening of
// embedded structs (the Python side applies Go's dominance rules).
type Field struct {
	Name      string `json:"name"`                // json name; "" for an embedded field without a tag name
	Go        string `json:"go"`                  // Go field name
	Type      string `json:"type"`                // type reference (see ref)
	OmitEmpty bool   `json:"omitempty,omitempty"` //
	OmitZero  bool   `json:"omitzero,omitempty"`  //
	String    bool   `json:"string,omitempty"`    // the ",string" option
	Embedded  bool   `json:"embedded,omitempty"`  // anonymous field
	Inline    bool   `json:"inline,omitempty"`    // the ",inline" option (ignored by encoding/json)
	Named     bool   `json:"named,omitempty"`     // json name came from the tag (not the Go name)
}

// Type is one named type (or a basic kind used directly).
type Type struct {
	Kind      string  `json:"kind"`                // reflect kind name
	Str       string  `json:"str"`                 // reflect.Type.String(), for Go-like messages
	Special   string  `json:"special,omitempty"`   // hand-implemented marshaler family
	Marshal   string  `json:"marshal,omitempty"`   // "value" or "pointer": receiver of MarshalJSON
	Unmarshal bool    `json:"unmarshal,omitempty"` // *T implements json.Unmarshaler
	Text      bool    `json:"text,omitempty"`      // implements encoding.TextMarshaler/TextUnmarshaler
	Elem      string  `json:"elem,omitempty"`      // for named slice/map/ptr/array types
	Key       string  `json:"key,omitempty"`       // for named map types
	Len       int     `json:"len,omitempty"`       // for named array types
	Fields    []Field `json:"fields,omitempty"`    // for structs
}

type walker struct {
	types map[string]*Type
	errs  []string
}

func name(t reflect.Type) string {
	if t.PkgPath() == "" {
		return t.Name()
	}
	return t.PkgPath() + "." + t.Name()
}

// ref names a type: named types by full path, composites structurally.
func (w *walker) ref(t reflect.Type) string {
	if t.Name() != "" {
		w.visit(t)
		return name(t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + w.ref(t.Elem())
	case reflect.Slice:
		return "[]" + w.ref(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]", t.Len()) + w.ref(t.Elem())
	case reflect.Map:
		return "map[" + w.ref(t.Key()) + "]" + w.ref(t.Elem())
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "interface{}"
		}
	}
	w.errs = append(w.errs, "unsupported unnamed type "+t.String())
	return t.String()
}

func (w *walker) visit(t reflect.Type) {
	n := name(t)
	if _, ok := w.types[n]; ok {
		return
	}
	rec := &Type{Kind: t.Kind().String(), Str: t.String()}
	w.types[n] = rec
	if t.PkgPath() == "" { // predeclared basic type
		return
	}
	pt := reflect.PointerTo(t)
	switch {
	case t.Implements(marshalerT):
		rec.Marshal = "value"
	case pt.Implements(marshalerT):
		rec.Marshal = "pointer"
	}
	rec.Unmarshal = pt.Implements(unmarshalerT)
	rec.Text = t.Implements(textMarshalerT) || pt.Implements(textUnmarshalerT)
	if rec.Marshal != "" || rec.Unmarshal || rec.Text {
		sp, ok := specials[n]
		if !ok {
			w.errs = append(w.errs, "type with a custom JSON/text marshaler not handled: "+n)
		}
		rec.Special = sp
		return // opaque: the Python side implements it by hand
	}
	switch t.Kind() {
	case reflect.Struct:
		rec.Fields = w.fields(t)
	case reflect.Pointer, reflect.Slice:
		rec.Elem = w.ref(t.Elem())
	case reflect.Array:
		rec.Elem = w.ref(t.Elem())
		rec.Len = t.Len()
	case reflect.Map:
		rec.Key = w.ref(t.Key())
		rec.Elem = w.ref(t.Elem())
	case reflect.Interface:
		if t.NumMethod() != 0 {
			w.errs = append(w.errs, "non-empty interface "+n)
		}
	}
}

func (w *walker) fields(t reflect.Type) []Field {
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		if !sf.IsExported() && !sf.Anonymous {
			continue
		}
		parts := strings.Split(tag, ",")
		f := Field{Go: sf.Name, Name: parts[0], Embedded: sf.Anonymous}
		f.Named = hasTag && parts[0] != ""
		for _, opt := range parts[1:] {
			switch opt {
			case "omitempty":
				f.OmitEmpty = true
			case "omitzero":
				f.OmitZero = true
			case "string":
				f.String = true
			case "inline":
				f.Inline = true
			}
		}
		if f.Name == "" && !sf.Anonymous {
			f.Name = sf.Name
		}
		if sf.Anonymous && !f.Named {
			f.Name = ""
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() != reflect.Struct {
				if !sf.IsExported() {
					continue // encoding/json ignores unexported non-struct embeddings
				}
				f.Name = sf.Name // an embedded non-struct is an ordinary field named after its type
			}
		}
		f.Type = w.ref(sf.Type)
		out = append(out, f)
	}
	return out
}

func main() {
	w := &walker{types: map[string]*Type{}}
	var rootNames []string
	for _, r := range roots {
		rootNames = append(rootNames, w.ref(r))
	}
	if len(w.errs) > 0 {
		sort.Strings(w.errs)
		fmt.Fprintln(os.Stderr, strings.Join(w.errs, "\n"))
		os.Exit(1)
	}
	modules := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch {
			case strings.HasPrefix(d.Path, "k8s.io/api"), strings.HasPrefix(d.Path, "github.com/kubeflow/"),
				d.Path == "sigs.k8s.io/json":
				modules[d.Path] = d.Version
			}
		}
	}
	names := make([]string, 0, len(w.types))
	for n := range w.types {
		names = append(names, n)
	}
	sort.Strings(names)

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	must := func(b []byte, err error) string {
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	fmt.Fprintf(out, "{\n\"format\": 1,\n\"generator\": \"tools/gotypes\",\n")
	fmt.Fprintf(out, "\"modules\": %s,\n", must(json.Marshal(modules)))
	fmt.Fprintf(out, "\"roots\": %s,\n", must(json.Marshal(rootNames)))
	fmt.Fprintf(out, "\"types\": {\n")
	for i, n := range names {
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(out, "%s: %s%s\n", must(json.Marshal(n)), must(json.Marshal(w.types[n])), sep)
	}
	fmt.Fprintf(out, "}\n}\n")
}
