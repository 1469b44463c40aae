package main

// The oracle core: one Experiment admission (CREATE or UPDATE) run through
// Katib's own webhook code, against a fake API server.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/validation/field"
	clientgoapplyconfigurations "k8s.io/client-go/applyconfigurations"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	commonv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/common/v1beta1"
	experimentsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1"
	suggestionsv1beta1 "github.com/kubeflow/katib/pkg/apis/controller/suggestions/v1beta1"
	"github.com/kubeflow/katib/pkg/controller.v1beta1/consts"
	"github.com/kubeflow/katib/pkg/controller.v1beta1/experiment/manifest"
	"github.com/kubeflow/katib/pkg/controller.v1beta1/util"
	webhookcommon "github.com/kubeflow/katib/pkg/webhook/v1beta1/common"
	experimentwebhook "github.com/kubeflow/katib/pkg/webhook/v1beta1/experiment"
	"github.com/kubeflow/katib/pkg/webhook/v1beta1/experiment/validator"
)

// Case is one admission request to simulate.
type Case struct {
	ID                  string
	Object              []byte   // the Experiment as JSON (as kubectl would send it)
	Old                 []byte   // the stored Experiment for UPDATE, nil for CREATE
	ConfigMaps          [][]byte // extra ConfigMaps (JSON) loaded into the fake cluster
	KatibConfig         []byte   // katib-config: ConfigMap manifest or KatibConfig YAML/JSON; nil = default
	UnlabelledNamespace bool     // namespace lacks the metrics-collector-injection label (H-2)
	ExistingPVs         []string // PersistentVolumes that exist in the fake cluster (H-3)
}

// Error is one structured admission error.
type Error struct {
	Field   string `json:"field"`
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Handler is the verdict of Katib's real webhook Handle calls.
type Handler struct {
	Webhook string `json:"webhook"` // "mutating" or "validating": which webhook gave this verdict
	Allowed bool   `json:"allowed"`
	Code    int32  `json:"code"`
	Message string `json:"message"`
}

// Result is one output line.
type Result struct {
	File     string          `json:"file"`
	Allowed  bool            `json:"allowed"`
	Errors   []Error         `json:"errors"`
	Warnings []string        `json:"warnings"`
	Object   json.RawMessage `json:"object"`
	Handler  *Handler        `json:"handler"`
	Panic    string          `json:"panic,omitempty"`
	Notes    []string        `json:"notes,omitempty"` // oracle self-checks (should stay empty)
	Error    string          `json:"error,omitempty"` // oracle-level failure: bad input, not a Katib verdict
}

const defaultNamespace = "default"

var (
	experimentGVK = metav1.GroupVersionKind{Group: "kubeflow.org", Version: "v1beta1", Kind: "Experiment"}
	experimentGVR = metav1.GroupVersionResource{Group: "kubeflow.org", Version: "v1beta1", Resource: "experiments"}
)

// Oracle holds what is shared between cases.
type Oracle struct {
	scheme         *runtime.Scheme
	decoder        admission.Decoder
	defaultKatibCM *corev1.ConfigMap
	typeConverters []managedfields.TypeConverter
	seq            int
}

func NewOracle(defaultKatibConfig []byte) (*Oracle, error) {
	o := &Oracle{scheme: newScheme()}
	o.decoder = admission.NewDecoder(o.scheme)
	// The fake client's default type converters (controller-runtime fake.ClientBuilder.Build),
	// built once: building them per client costs more than a whole admission.
	clientGoScheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(clientGoScheme); err != nil {
		return nil, err
	}
	o.typeConverters = []managedfields.TypeConverter{
		clientgoapplyconfigurations.NewTypeConverter(clientGoScheme),
		managedfields.NewDeducedTypeConverter(),
	}
	cm, err := katibConfigMap(defaultKatibConfig)
	if err != nil {
		return nil, fmt.Errorf("default katib-config: %w", err)
	}
	o.defaultKatibCM = cm
	return o, nil
}

// katibConfigMap accepts either a whole ConfigMap manifest or a KatibConfig document
// (YAML or JSON) and returns the katib-config ConfigMap.
func katibConfigMap(text []byte) (*corev1.ConfigMap, error) {
	var probe struct {
		Kind string `json:"kind"`
	}
	js, err := yaml.YAMLToJSON(text)
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal(js, &probe)
	if probe.Kind == "ConfigMap" {
		cm := &corev1.ConfigMap{}
		if err := json.Unmarshal(js, cm); err != nil {
			return nil, err
		}
		if cm.Namespace == "" {
			cm.Namespace = consts.DefaultKatibNamespace
		}
		if cm.Name == "" {
			cm.Name = consts.KatibConfigMapName
		}
		return cm, nil
	}
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: consts.KatibConfigMapName, Namespace: consts.DefaultKatibNamespace},
		Data:       map[string]string{consts.LabelKatibConfigTag: string(text)},
	}, nil
}

// apiServerRoundTrip mimics what the API server does with a custom resource body
// (no schema: x-kubernetes-preserve-unknown-fields): decode into unstructured
// (JSON numbers become int64 or float64) and encode again.
func apiServerRoundTrip(raw []byte) ([]byte, *unstructured.Unstructured, error) {
	obj, _, err := unstructured.UnstructuredJSONScheme.Decode(raw, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil, fmt.Errorf("not a single object (%T)", obj)
	}
	out, err := runtime.Encode(unstructured.UnstructuredJSONScheme, u)
	if err != nil {
		return nil, nil, err
	}
	return bytes.TrimSpace(out), u, nil
}

func (o *Oracle) buildClient(c *Case, ns string) (client.Client, error) {
	objs := map[string]client.Object{}
	add := func(kind string, obj client.Object) {
		objs[kind+"/"+obj.GetNamespace()+"/"+obj.GetName()] = obj
	}
	katibCM := o.defaultKatibCM.DeepCopy()
	if c.KatibConfig != nil {
		cm, err := katibConfigMap(c.KatibConfig)
		if err != nil {
			return nil, fmt.Errorf("katib-config: %w", err)
		}
		katibCM = cm
	}
	add("ConfigMap", katibCM)
	for i, raw := range c.ConfigMaps {
		cm := &corev1.ConfigMap{}
		if err := json.Unmarshal(raw, cm); err != nil {
			return nil, fmt.Errorf("configmap %d: %w", i, err)
		}
		if cm.Namespace == "" {
			cm.Namespace = defaultNamespace
		}
		cm.ResourceVersion = ""
		add("ConfigMap", cm)
	}
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	if !c.UnlabelledNamespace {
		nsObj.Labels = map[string]string{webhookcommon.KatibMetricsCollectorInjection: webhookcommon.KatibMetricsCollectorInjectionEnabled}
	}
	add("Namespace", nsObj)
	for _, pv := range c.ExistingPVs {
		add("PersistentVolume", &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: pv}})
	}
	b := fake.NewClientBuilder().WithScheme(o.scheme).WithTypeConverters(o.typeConverters...)
	for _, obj := range objs {
		b = b.WithObjects(obj)
	}
	return b.Build(), nil
}

func errorType(t field.ErrorType) string {
	s := string(t)
	return strings.TrimPrefix(s, "FieldValue")
}

func (o *Oracle) request(op admissionv1.Operation, name, ns string, obj, old []byte) admission.Request {
	o.seq++
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:             types.UID(fmt.Sprintf("oracle-%d", o.seq)),
		Kind:            experimentGVK,
		Resource:        experimentGVR,
		RequestKind:     &experimentGVK,
		RequestResource: &experimentGVR,
		Name:            name,
		Namespace:       ns,
		Operation:       op,
		Object:          runtime.RawExtension{Raw: obj},
		OldObject:       runtime.RawExtension{Raw: old},
	}}
}

func handlerOf(which string, resp admission.Response) *Handler {
	h := &Handler{Webhook: which, Allowed: resp.Allowed}
	if resp.Result != nil {
		h.Code = resp.Result.Code
		h.Message = resp.Result.Message
	}
	return h
}

// Run simulates one admission.
func (o *Oracle) Run(c *Case) (res Result) {
	res = Result{File: c.ID, Errors: []Error{}, Warnings: []string{}, Object: json.RawMessage("null")}
	fail := func(err error) Result {
		res.Allowed = false
		res.Error = err.Error()
		return res
	}
	ctx := context.Background()

	// What the API server does before admission: decode the body as unstructured,
	// fill metadata.namespace from the request namespace.
	_, u, err := apiServerRoundTrip(c.Object)
	if err != nil {
		return fail(fmt.Errorf("object is not a Kubernetes object: %w", err))
	}
	hadNamespace := u.GetNamespace() != ""
	ns := u.GetNamespace()
	if ns == "" {
		ns = defaultNamespace
		u.SetNamespace(ns)
	}
	raw, err := runtime.Encode(unstructured.UnstructuredJSONScheme, u)
	if err != nil {
		return fail(err)
	}
	raw = bytes.TrimSpace(raw)

	cl, err := o.buildClient(c, ns)
	if err != nil {
		return fail(err)
	}

	op := admissionv1.Create
	var oldRaw []byte
	if c.Old != nil {
		op = admissionv1.Update
		oldRaw, err = o.storedOld(c.Old, ns)
		if err != nil {
			return fail(fmt.Errorf("old object: %w", err))
		}
	}

	// 1+2. Mutating webhook: Katib's ExperimentDefaulter.Handle, wrapped as controller-runtime serves it.
	mutReq := o.request(op, u.GetName(), ns, raw, oldRaw)
	mutating := &admission.Webhook{Handler: experimentwebhook.NewExperimentDefaulter(cl, o.decoder)}
	mutResp := mutating.Handle(ctx, mutReq)
	res.Warnings = append(res.Warnings, mutResp.Warnings...)

	// Our own decode, for the structured H-1 error (same decoder, same call).
	exp := &experimentsv1beta1.Experiment{}
	if derr := o.decoder.Decode(mutReq, exp); derr != nil {
		res.Handler = handlerOf("mutating", mutResp)
		res.Errors = append(res.Errors, Error{Field: "", Type: "BadRequest", Message: derr.Error(), Code: "KATIB-H1"})
		if mutResp.Allowed || mutResp.Result == nil || mutResp.Result.Code != http.StatusBadRequest || mutResp.Result.Message != derr.Error() {
			res.Notes = append(res.Notes, "mutating handler verdict differs from the decode error")
		}
		return res
	}
	if !mutResp.Allowed {
		res.Handler = handlerOf("mutating", mutResp)
		msg := ""
		if mutResp.Result != nil {
			msg = mutResp.Result.Message
		}
		if strings.HasPrefix(msg, "panic: ") {
			res.Panic = msg
			res.Errors = append(res.Errors, Error{Type: "InternalError", Message: msg, Code: "KATIB-PANIC"})
		} else {
			res.Errors = append(res.Errors, Error{Type: "InternalError", Message: msg, Code: "KATIB-MUTATE"})
		}
		return res
	}

	// Apply the webhook's JSON patch as the API server does, then decode/encode as unstructured.
	patched := raw
	if len(mutResp.Patch) > 0 {
		p, perr := jsonpatch.DecodePatch(mutResp.Patch)
		if perr != nil {
			return fail(fmt.Errorf("decode patch: %w", perr))
		}
		patched, perr = p.Apply(raw)
		if perr != nil {
			return fail(fmt.Errorf("apply patch: %w", perr))
		}
	}
	_, su, err := apiServerRoundTrip(patched)
	if err != nil {
		return fail(fmt.Errorf("patched object: %w", err))
	}

	// Self-check: the patched object must equal json.Marshal(SetDefault(decoded)).
	expDefault := exp.DeepCopy()
	expDefault.SetDefault()
	if marshalled, merr := json.Marshal(expDefault); merr == nil {
		if _, mu, rerr := apiServerRoundTrip(marshalled); rerr == nil {
			if !reflect.DeepEqual(mu.Object, su.Object) {
				res.Notes = append(res.Notes, "patched object differs from json.Marshal(SetDefault(obj)): "+string(marshalled))
			}
		}
	}

	// What the API server stores / hands to the validating webhook: status dropped on CREATE
	// (status subresource), copied from the old object on UPDATE.
	delete(su.Object, "status")
	if md, ok := su.Object["metadata"].(map[string]interface{}); ok {
		if ts, present := md["creationTimestamp"]; present && ts == nil {
			delete(md, "creationTimestamp")
		}
	}
	out := su.DeepCopy()
	if !hadNamespace {
		unstructured.RemoveNestedField(out.Object, "metadata", "namespace")
	}
	if objJSON, err := json.Marshal(out.Object); err == nil {
		res.Object = objJSON
	}
	if op == admissionv1.Update {
		var oldMap map[string]interface{}
		if err := json.Unmarshal(oldRaw, &oldMap); err == nil && oldMap["status"] != nil {
			su.Object["status"] = oldMap["status"]
		}
	}
	valRaw, err := runtime.Encode(unstructured.UnstructuredJSONScheme, su)
	if err != nil {
		return fail(err)
	}
	valRaw = bytes.TrimSpace(valRaw)

	// 3. Validating webhook: Katib's ExperimentValidator.Handle, for the handler-level verdict.
	valReq := o.request(op, su.GetName(), ns, valRaw, oldRaw)
	validating := &admission.Webhook{Handler: experimentwebhook.NewExperimentValidator(cl, o.decoder)}
	valResp := validating.Handle(ctx, valReq)
	res.Handler = handlerOf("validating", valResp)
	res.Warnings = append(res.Warnings, valResp.Warnings...)

	// Structured errors: replay the handler's steps, calling Katib's validator directly.
	res.Errors, res.Panic = o.structuredValidate(cl, valReq)
	if res.Panic != "" {
		res.Errors = append(res.Errors, Error{Type: "InternalError", Message: res.Panic, Code: "KATIB-PANIC"})
	}
	res.Allowed = len(res.Errors) == 0
	if res.Allowed != valResp.Allowed {
		res.Notes = append(res.Notes, "structured verdict differs from the validating handler")
	}
	return res
}

// storedOld turns the user's old manifest into what the API server has stored:
// decoded with the webhook decoder, defaulted, marshalled (status kept).
func (o *Oracle) storedOld(old []byte, ns string) ([]byte, error) {
	_, u, err := apiServerRoundTrip(old)
	if err != nil {
		return nil, err
	}
	if u.GetNamespace() == "" {
		u.SetNamespace(ns)
	}
	raw, err := runtime.Encode(unstructured.UnstructuredJSONScheme, u)
	if err != nil {
		return nil, err
	}
	exp := &experimentsv1beta1.Experiment{}
	if err := o.decoder.DecodeRaw(runtime.RawExtension{Raw: raw}, exp); err != nil {
		return nil, err
	}
	exp.SetDefault()
	b, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	b, _, err = apiServerRoundTrip(b)
	return b, err
}

// structuredValidate follows ExperimentValidator.Handle step by step
// (pkg/webhook/v1beta1/experiment/validation_webhook.go) but keeps the field.ErrorList.
func (o *Oracle) structuredValidate(cl client.Client, req admission.Request) (errs []Error, panicMsg string) {
	errs = []Error{}
	defer func() {
		if r := recover(); r != nil {
			panicMsg = fmt.Sprintf("panic: %v [recovered]", r)
		}
	}()
	inst := &experimentsv1beta1.Experiment{}
	if err := o.decoder.Decode(req, inst); err != nil {
		return append(errs, Error{Type: "BadRequest", Message: err.Error(), Code: "KATIB-H1"}), ""
	}
	var oldInst *experimentsv1beta1.Experiment
	if len(req.OldObject.Raw) > 0 {
		oldInst = &experimentsv1beta1.Experiment{}
		if err := json.NewDecoder(bytes.NewBuffer(req.OldObject.Raw)).Decode(&oldInst); err != nil {
			return append(errs, Error{Type: "BadRequest", Message: fmt.Sprintf("Cannot decode incoming old object: %v", err), Code: "KATIB-H1"}), ""
		}
	}

	// H-2
	ns := &corev1.Namespace{}
	if err := cl.Get(context.TODO(), types.NamespacedName{Name: req.Namespace}, ns); err != nil {
		return append(errs, Error{Type: "InternalError", Message: err.Error(), Code: "KATIB-H2"}), ""
	}
	if v, ok := ns.Labels[webhookcommon.KatibMetricsCollectorInjection]; !ok || v != webhookcommon.KatibMetricsCollectorInjectionEnabled {
		msg := fmt.Sprintf("Cannot create the Experiment %q in namespace %q: the namespace lacks label \"%s: %s\"",
			inst.Name, req.Namespace, webhookcommon.KatibMetricsCollectorInjection, webhookcommon.KatibMetricsCollectorInjectionEnabled)
		return append(errs, Error{Type: "BadRequest", Message: msg, Code: "KATIB-H2"}), ""
	}

	// ValidateExperiment
	v := validator.New(manifest.New(cl))
	for _, e := range v.ValidateExperiment(inst, oldInst) {
		errs = append(errs, Error{Field: e.Field, Type: errorType(e.Type), Message: e.Detail, Code: ""})
	}
	if len(errs) > 0 {
		return errs, ""
	}

	// H-3
	if inst.Spec.ResumePolicy == experimentsv1beta1.FromVolume && oldInst == nil {
		suggestion := &suggestionsv1beta1.Suggestion{
			ObjectMeta: metav1.ObjectMeta{Name: inst.Name, Namespace: inst.Namespace},
			Spec: suggestionsv1beta1.SuggestionSpec{
				Algorithm: &commonv1beta1.AlgorithmSpec{AlgorithmName: inst.Spec.Algorithm.AlgorithmName},
			},
		}
		pvName := util.GetSuggestionPersistentVolumeName(suggestion)
		err := cl.Get(context.TODO(), types.NamespacedName{Name: pvName}, &corev1.PersistentVolume{})
		if !apierrors.IsNotFound(err) {
			msg := fmt.Sprintf("Cannot create the Experiment: %v in namespace: %v, PV: %v is not deleted", inst.Name, inst.Namespace, pvName)
			if err != nil {
				msg = fmt.Sprintf("Cannot create the Experiment: %v in namespace: %v, error: %v", inst.Name, inst.Namespace, err)
			}
			errs = append(errs, Error{Type: "BadRequest", Message: msg, Code: "KATIB-H3"})
		}
	}
	return errs, ""
}
