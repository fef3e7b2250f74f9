// SPDX-License-Identifier: GPL-2.0
//
// A TLS 1.3 peer on Java's JSSE (OpenJDK 17) for the interop suite
// (tests/kernel/interop_test.sh): a stack that shares no code with
// OpenSSL, GnuTLS, Go or libiotsec.
//
//   java -cp DIR TlsPeer client HOST:PORT [options]
//   java -cp DIR TlsPeer server PORT [options]
//   options: -ca PEM -cert PEM -key PKCS8-PEM -name NAME -suite IANA-NAME
//            -groups secp256r1,x25519 (preferred first; a client shares the
//            first only) -nocert (server: no client certificate asked)
//            -expect N (read N bytes, then close() as applications do:
//            JSSE sends user_canceled, then close_notify)
//
// Without -expect: standard input to the peer, the peer's data to standard
// output until its close_notify, then ours (shutdownOutput).  Standard error says what happened, one "tlspeer:" line
// each, alerts under their RFC 8446 names:
//   tlspeer: handshake done: TLS_AES_128_GCM_SHA256, peer CN=...
//   tlspeer: alert received: certificate_required   (the peer's alert)
//   tlspeer: local error: bad_record_mac            (a record that failed)
//   tlspeer: client hellos sent: 2                  (after a HelloRetryRequest)
//   tlspeer: closed by close_notify
// Exit status: 0 the session ended as asked, 1 usage or set-up, 2 handshake
// failed, 3 failure after the handshake.
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

public final class TlsPeer {
	static void say(String s) {
		System.err.println("tlspeer: " + s);
		System.err.flush();
	}

	static void fail(String s) {
		say(s);
		System.exit(1);
	}

	static byte[] pemBody(String path, String label) throws IOException {
		String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.US_ASCII);
		String begin = "-----BEGIN " + label + "-----", end = "-----END " + label + "-----";
		int b = text.indexOf(begin), e = text.indexOf(end);
		if (b < 0 || e < b)
			throw new IOException(path + ": no " + label);
		return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
	}

	static X509Certificate readCert(String path) throws Exception {
		CertificateFactory cf = CertificateFactory.getInstance("X.509");
		return (X509Certificate) cf.generateCertificate(
			new ByteArrayInputStream(pemBody(path, "CERTIFICATE")));
	}

	// Always offers our one certificate, whatever the peer asks for: a
	// refusal row needs a certificate from another root to be sent.
	static final class OneKey extends X509ExtendedKeyManager {
		final X509Certificate[] chain;
		final PrivateKey key;

		OneKey(X509Certificate[] chain, PrivateKey key) {
			this.chain = chain;
			this.key = key;
		}

		public String chooseClientAlias(String[] t, Principal[] i, Socket s) { return "me"; }
		public String chooseServerAlias(String t, Principal[] i, Socket s) { return "me"; }
		public String chooseEngineClientAlias(String[] t, Principal[] i, SSLEngine e) { return "me"; }
		public String chooseEngineServerAlias(String t, Principal[] i, SSLEngine e) { return "me"; }
		public String[] getClientAliases(String t, Principal[] i) { return new String[] { "me" }; }
		public String[] getServerAliases(String t, Principal[] i) { return new String[] { "me" }; }
		public X509Certificate[] getCertificateChain(String a) { return chain; }
		public PrivateKey getPrivateKey(String a) { return key; }
	}

	// Counts the ClientHello records written in the clear.
	static final class HelloCounter extends FilterOutputStream {
		final byte[] hdr = new byte[5];
		int nhdr, left, type, hellos;
		boolean first;

		HelloCounter(OutputStream out) { super(out); }

		@Override public void write(int c) throws IOException {
			count(c & 0xff);
			out.write(c);
		}

		@Override public void write(byte[] b, int off, int len) throws IOException {
			for (int i = 0; i < len; i++)
				count(b[off + i] & 0xff);
			out.write(b, off, len);
		}

		void count(int c) {
			if (left == 0) {
				hdr[nhdr++] = (byte) c;
				if (nhdr == 5) {
					type = hdr[0] & 0xff;
					left = (hdr[3] & 0xff) << 8 | (hdr[4] & 0xff);
					first = true;
					nhdr = 0;
				}
				return;
			}
			if (first && type == 22 && c == 1)
				hellos++;
			first = false;
			left--;
		}
	}

	static final class CountingSocket extends Socket {
		HelloCounter counter;

		@Override public synchronized OutputStream getOutputStream() throws IOException {
			if (counter == null)
				counter = new HelloCounter(super.getOutputStream());
			return counter;
		}
	}

	// Names what failed: the alert from the peer, or a record of its
	// that did not decrypt.
	static void report(String when, Throwable e) {
		say(when + " failed: " + e);
		for (Throwable t = e; t != null; t = t.getCause()) {
			String m = String.valueOf(t.getMessage());
			int i = m.indexOf("Received fatal alert: ");
			if (i >= 0) {
				say("alert received: " + m.substring(i + 22).trim());
				return;
			}
			if (t instanceof javax.crypto.AEADBadTagException || m.contains("Tag mismatch")) {
				say("local error: bad_record_mac");
				return;
			}
		}
	}

	public static void main(String[] argv) throws Exception {
		if (argv.length < 2 || !(argv[0].equals("client") || argv[0].equals("server")))
			fail("usage: TlsPeer client HOST:PORT | server PORT [options]");
		boolean client = argv[0].equals("client"), noCert = false;
		String addr = argv[1], ca = null, cert = null, key = null, name = null, suite = null;
		long expect = -1;
		for (int i = 2; i < argv.length; i++) {
			String o = argv[i];
			if (o.equals("-nocert")) {
				noCert = true;
				continue;
			}
			if (i + 1 >= argv.length)
				fail("option " + o + " needs a value");
			String v = argv[++i];
			switch (o) {
			case "-ca": ca = v; break;
			case "-cert": cert = v; break;
			case "-key": key = v; break;
			case "-name": name = v; break;
			case "-suite": suite = v; break;
			case "-groups": System.setProperty("jdk.tls.namedGroups", v); break;
			case "-expect": expect = Long.parseLong(v); break;
			default: fail("unknown option " + o);
			}
		}

		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		if (ca != null)
			trust.setCertificateEntry("root", readCert(ca));
		TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
		tmf.init(trust);
		KeyManager[] km = null;
		if (cert != null) {
			PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(
				new PKCS8EncodedKeySpec(pemBody(key, "PRIVATE KEY")));
			km = new KeyManager[] { new OneKey(new X509Certificate[] { readCert(cert) }, pk) };
		}
		SSLContext ctx = SSLContext.getInstance("TLSv1.3");
		ctx.init(km, tmf.getTrustManagers(), null);

		SSLSocket s;
		CountingSocket raw = null;
		if (client) {
			int colon = addr.lastIndexOf(':');
			String host = addr.substring(0, colon);
			raw = new CountingSocket();
			raw.connect(new InetSocketAddress(host, Integer.parseInt(addr.substring(colon + 1))), 170000);
			s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, name != null ? name : host,
				raw.getPort(), true);
			SSLParameters p = s.getSSLParameters();
			if (name != null) {
				p.setEndpointIdentificationAlgorithm("HTTPS");
				if (!name.matches("[0-9.]+") && !name.contains(":"))
					p.setServerNames(List.of(new SNIHostName(name)));
			}
			s.setSSLParameters(p);
		} else {
			ServerSocket ls = ctx.getServerSocketFactory().createServerSocket();
			ls.setReuseAddress(true);
			ls.bind(new InetSocketAddress(Integer.parseInt(addr)));
			say("listening on " + addr);
			s = (SSLSocket) ls.accept();
			ls.close();
			if (noCert)
				s.setWantClientAuth(false);
			else
				s.setNeedClientAuth(true);
		}
		s.setSoTimeout(170000);
		s.setEnabledProtocols(new String[] { "TLSv1.3" });
		if (suite != null)
			s.setEnabledCipherSuites(new String[] { suite });

		try {
			s.startHandshake();
		} catch (Exception e) {
			if (raw != null && raw.counter != null)
				say("client hellos sent: " + raw.counter.hellos);
			report("handshake", e);
			System.exit(2);
		}
		if (raw != null)
			say("client hellos sent: " + raw.counter.hellos);
		String peer = "none";
		try {
			peer = ((X509Certificate) s.getSession().getPeerCertificates()[0])
				.getSubjectX500Principal().getName();
		} catch (Exception e) {
			// no client certificate asked
		}
		say("handshake done: " + s.getSession().getCipherSuite() + ", peer " + peer);

		final SSLSocket fs = s;
		final boolean half = expect < 0;
		Thread writer = new Thread(() -> {
			try {
				System.in.transferTo(fs.getOutputStream());
				fs.getOutputStream().flush();
			} catch (IOException e) {
				report("write", e);
			}
		});
		writer.start();
		InputStream in = s.getInputStream();
		byte[] buf = new byte[16384];
		long got = 0;
		try {
			for (;;) {
				int want = buf.length;
				if (!half) {
					if (got >= expect)
						break;
					want = (int) Math.min(buf.length, expect - got);
				}
				int n = in.read(buf, 0, want);
				if (n < 0) {
					if (!half)
						throw new IOException("end of stream after " + got + " bytes");
					say("closed by close_notify");
					break;
				}
				System.out.write(buf, 0, n);
				got += n;
			}
			System.out.flush();
			writer.join();
			if (half)
				s.shutdownOutput();	// close_notify
			s.close();	// -expect: user_canceled, close_notify
		} catch (Exception e) {
			report("read", e);
			System.exit(3);
		}
		if (!half)
			say("read " + got + " bytes, closed");
		System.exit(0);
	}
}
