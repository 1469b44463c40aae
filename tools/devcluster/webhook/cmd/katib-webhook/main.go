// Command katib-webhook serves Katib's own experiment admission webhooks
// (/mutate-experiment and /validate-experiment from
// github.com/kubeflow/katib/pkg/webhook/v1beta1/experiment) for katib-gitops'
// integration tests, on a loopback port with a self-signed certificate.
//
// It is a stripped-down katib-controller: no manager, no cache, no controllers,
// no cert-controller. It writes tls.crt/tls.key into --cert-dir (tls.crt doubles
// as the caBundle to register) and then serves until SIGTERM/SIGINT.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	configv1beta1 "github.com/kubeflow/katib/pkg/apis/config/v1beta1"
	apis "github.com/kubeflow/katib/pkg/apis/controller"
	"github.com/kubeflow/katib/pkg/webhook/v1beta1/experiment"
)

func main() {
	// A private flag set: controller-runtime registers its own --kubeconfig on the global one.
	fs := flag.NewFlagSet("katib-webhook", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the API server the webhook reads from (namespaces, katib-config)")
	host := fs.String("host", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 0, "port to listen on (required)")
	certDir := fs.String("cert-dir", "", "directory for the generated tls.crt/tls.key (required)")
	_ = fs.Parse(os.Args[1:])
	if *port == 0 || *certDir == "" || *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "katib-webhook: --kubeconfig, --port and --cert-dir are required")
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(false)))
	if err := run(*kubeconfig, *host, *port, *certDir); err != nil {
		fmt.Fprintln(os.Stderr, "katib-webhook:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, host string, port int, certDir string) error {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(apis.AddToScheme(scheme))
	utilruntime.Must(configv1beta1.AddToScheme(scheme))

	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("loading kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return fmt.Errorf("creating client: %w", err)
	}
	if err := writeSelfSignedCert(certDir, host); err != nil {
		return err
	}

	decoder := admission.NewDecoder(scheme)
	server := webhook.NewServer(webhook.Options{Host: host, Port: port, CertDir: certDir})
	server.Register("/mutate-experiment", &webhook.Admission{Handler: experiment.NewExperimentDefaulter(c, decoder)})
	server.Register("/validate-experiment", &webhook.Admission{Handler: experiment.NewExperimentValidator(c, decoder)})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return server.Start(ctx)
}

// writeSelfSignedCert writes a self-signed ECDSA certificate for host (an IP
// address) and localhost. The certificate is its own CA, so tls.crt is also the
// caBundle for the webhook configurations.
func writeSelfSignedCert(dir, host string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "katib-webhook-test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
