// SPDX-License-Identifier: GPL-2.0
//
// A TLS 1.3 peer on Go's crypto/tls (standard library only) for the
// interop suite (tests/kernel/interop_test.sh): a stack that shares no
// code with OpenSSL, GnuTLS or libiotsec.
//
//	tlspeer client HOST:PORT [options]    tlspeer server PORT [options]
//
// Both roles: standard input goes to the peer, and what the peer sends
// until its close_notify goes to standard output; our close_notify goes
// after the peer's (a peer that stops reading at close_notify still gets
// all our data).  Standard
// error says what happened, one "tlspeer:" line each, with alerts under
// their RFC 8446 names:
//
//	tlspeer: handshake done: TLS_AES_128_GCM_SHA256, peer CN=...
//	tlspeer: alert received: certificate_required   (the peer's alert)
//	tlspeer: local error: bad_record_mac            (our own alert)
//	tlspeer: client hellos sent: 2                  (2: after a HelloRetryRequest)
//	tlspeer: closed by close_notify
//
// Exit status: 0 the session ended with the peer's close_notify after our
// data went out, 1 usage or set-up, 2 handshake failed, 3 failure after
// the handshake (an alert, a bad record, end of file without close_notify).
package main

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

var alertNames = map[string]string{
	"close notify":                    "close_notify",
	"unexpected message":              "unexpected_message",
	"bad record MAC":                  "bad_record_mac",
	"decryption failed":               "decryption_failed",
	"record overflow":                 "record_overflow",
	"decompression failure":           "decompression_failure",
	"handshake failure":               "handshake_failure",
	"bad certificate":                 "bad_certificate",
	"unsupported certificate":         "unsupported_certificate",
	"revoked certificate":             "certificate_revoked",
	"expired certificate":             "certificate_expired",
	"unknown certificate":             "certificate_unknown",
	"illegal parameter":               "illegal_parameter",
	"unknown certificate authority":   "unknown_ca",
	"access denied":                   "access_denied",
	"error decoding message":          "decode_error",
	"error decrypting message":        "decrypt_error",
	"export restriction":              "export_restriction",
	"protocol version not supported":  "protocol_version",
	"insufficient security level":     "insufficient_security",
	"internal error":                  "internal_error",
	"inappropriate fallback":          "inappropriate_fallback",
	"user canceled":                   "user_canceled",
	"no renegotiation":                "no_renegotiation",
	"missing extension":               "missing_extension",
	"unsupported extension":           "unsupported_extension",
	"certificate unobtainable":        "certificate_unobtainable",
	"unrecognized name":               "unrecognized_name",
	"bad certificate status response": "bad_certificate_status_response",
	"bad certificate hash value":      "bad_certificate_hash_value",
	"unknown PSK identity":            "unknown_psk_identity",
	"certificate required":            "certificate_required",
	"no application protocol":         "no_application_protocol",
}

// report says what an error was: an alert from the peer, one of ours, or
// something else.
func report(when string, err error) {
	msg := err.Error()
	fmt.Fprintf(os.Stderr, "tlspeer: %s failed: %s\n", when, msg)
	for _, kind := range []string{"remote error", "local error"} {
		i := strings.Index(msg, kind+": tls: ")
		if i < 0 {
			continue
		}
		text := msg[i+len(kind)+len(": tls: "):]
		name, ok := alertNames[text]
		if !ok {
			name = text // "alert(N)"
		}
		if kind == "remote error" {
			fmt.Fprintf(os.Stderr, "tlspeer: alert received: %s\n", name)
		} else {
			fmt.Fprintf(os.Stderr, "tlspeer: local error: %s\n", name)
		}
	}
}

// helloCounter counts the ClientHello records written in the clear: two
// when the server answered the first with a HelloRetryRequest.
type helloCounter struct {
	net.Conn
	hdr    []byte // record header being gathered
	left   int    // bytes of the current record body still to come
	first  bool   // the next body byte is the record's first
	rtype  byte
	hellos int
}

func (h *helloCounter) Write(b []byte) (int, error) {
	for _, c := range b {
		if h.left == 0 {
			h.hdr = append(h.hdr, c)
			if len(h.hdr) == 5 {
				h.rtype = h.hdr[0]
				h.left = int(h.hdr[3])<<8 | int(h.hdr[4])
				h.first = true
				h.hdr = h.hdr[:0]
			}
			continue
		}
		if h.first && h.rtype == 22 && c == 1 {
			h.hellos++
		}
		h.first = false
		h.left--
	}
	return h.Conn.Write(b)
}

var suiteIDs = map[string]uint16{
	"TLS_AES_128_GCM_SHA256":       tls.TLS_AES_128_GCM_SHA256,
	"TLS_AES_256_GCM_SHA384":       tls.TLS_AES_256_GCM_SHA384,
	"TLS_CHACHA20_POLY1305_SHA256": tls.TLS_CHACHA20_POLY1305_SHA256,
}

var curveIDs = map[string]tls.CurveID{
	"X25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384,
	"P-521": tls.CurveP521,
}

// badSigner signs, then spoils the signature's last byte (of s): a
// CertificateVerify that does not verify, well formed (-bad-cv).
type badSigner struct{ crypto.Signer }

func (b badSigner) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	sig, err := b.Signer.Sign(r, digest, o)
	if err == nil && len(sig) > 0 {
		sig[len(sig)-1] ^= 1
	}
	return sig, err
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlspeer: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "client" && os.Args[1] != "server") {
		fail("usage: tlspeer client HOST:PORT | server PORT [options]")
	}
	role, addr := os.Args[1], os.Args[2]
	fs := flag.NewFlagSet("tlspeer", flag.ExitOnError)
	ca := fs.String("ca", "", "root CA file (PEM) the peer's chain must lead to")
	cert := fs.String("cert", "", "our certificate (PEM)")
	key := fs.String("key", "", "our private key (PEM)")
	name := fs.String("name", "", "client: the server name to check")
	suite := fs.String("suite", "", "TLS 1.3 cipher suite (IANA name), Go's choice when empty")
	curves := fs.String("curves", "P-256", "key exchange groups, ':'-separated, preferred first (a client shares the first only)")
	noCert := fs.Bool("nocert", false, "server: do not ask for a client certificate")
	badCV := fs.Bool("bad-cv", false, "send a CertificateVerify whose signature does not verify")
	timeout := fs.Duration("timeout", 170*time.Second, "whole session time limit")
	fs.Parse(os.Args[3:])

	cfg := &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			fail("%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("%s: no certificate", *ca)
		}
		cfg.RootCAs, cfg.ClientCAs = pool, pool
	}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fail("%v", err)
		}
		if *badCV {
			signer, ok := pair.PrivateKey.(crypto.Signer)
			if !ok {
				fail("%s: not a signing key", *key)
			}
			pair.PrivateKey = badSigner{signer}
		}
		cfg.Certificates = []tls.Certificate{pair}
		// A client sends its certificate whatever CAs the server
		// names: a refusal row needs one from another root sent.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &pair, nil
		}
	}
	for _, c := range strings.Split(*curves, ":") {
		id, ok := curveIDs[c]
		if !ok {
			fail("unknown curve %s", c)
		}
		cfg.CurvePreferences = append(cfg.CurvePreferences, id)
	}
	// Go picks TLS 1.3 suites itself (Config.CipherSuites does not apply
	// to them); a choice is checked after the handshake instead.
	if *suite != "" {
		if _, ok := suiteIDs[*suite]; !ok {
			fail("unknown suite %s", *suite)
		}
	}

	var conn *tls.Conn
	var counter *helloCounter
	deadline := time.Now().Add(*timeout)
	if role == "client" {
		raw, err := net.DialTimeout("tcp", addr, *timeout)
		if err != nil {
			fail("%v", err)
		}
		counter = &helloCounter{Conn: raw}
		cfg.ServerName = *name
		if *name == "" {
			cfg.ServerName = strings.Split(addr, ":")[0]
		}
		conn = tls.Client(counter, cfg)
	} else {
		if *noCert {
			cfg.ClientAuth = tls.NoClientCert
		} else {
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
		ln, err := net.Listen("tcp", ":"+addr)
		if err != nil {
			fail("%v", err)
		}
		fmt.Fprintf(os.Stderr, "tlspeer: listening on %s\n", addr)
		raw, err := ln.Accept()
		ln.Close()
		if err != nil {
			fail("%v", err)
		}
		conn = tls.Server(raw, cfg)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)

	err := conn.Handshake()
	if counter != nil {
		fmt.Fprintf(os.Stderr, "tlspeer: client hellos sent: %d\n", counter.hellos)
	}
	if err != nil {
		report("handshake", err)
		os.Exit(2)
	}
	st := conn.ConnectionState()
	peer := "none"
	if len(st.PeerCertificates) > 0 {
		peer = st.PeerCertificates[0].Subject.String()
	}
	fmt.Fprintf(os.Stderr, "tlspeer: handshake done: %s, peer %s\n",
		tls.CipherSuiteName(st.CipherSuite), peer)
	if *suite != "" && suiteIDs[*suite] != st.CipherSuite {
		fmt.Fprintf(os.Stderr, "tlspeer: suite %s, not %s\n",
			tls.CipherSuiteName(st.CipherSuite), *suite)
		os.Exit(3)
	}

	// Standard input to the peer; meanwhile the peer's data to standard
	// output until its close_notify (io.EOF); then our close_notify.
	sent := make(chan error, 1)
	go func() {
		_, err := io.Copy(conn, os.Stdin)
		sent <- err
	}()
	_, rerr := io.Copy(os.Stdout, conn)
	if rerr != nil {
		report("read", rerr)
		os.Exit(3)
	}
	fmt.Fprintf(os.Stderr, "tlspeer: closed by close_notify\n")
	err = <-sent
	if err == nil {
		err = conn.CloseWrite()
	}
	if err != nil {
		report("write", err)
		os.Exit(3)
	}
	os.Exit(0)
}
