import Foundation
import SSHTestSupport

/// Python paramiko as a transport peer, driven by small scripts.
enum PythonPeer {
    static var python: String? { Peers.executable("python3") }

    static var hasParamiko: Bool {
        guard let python else { return false }
        return (try? Peers.run([python, "-c", "import paramiko"]).status) == 0
    }

    /// paramiko's client: key exchange with the given preferences, as many re-exchanges as the
    /// sixth argument asks, then `auth_none`, which our transport-only server refuses. Prints the
    /// negotiated names, whether SERVICE_ACCEPT came and how many times keys were switched.
    static let clientScript = """
        import logging, socket, sys, io
        import paramiko
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        logging.getLogger("paramiko").addHandler(handler)
        logging.getLogger("paramiko").setLevel(logging.DEBUG)
        port, kex, cipher, mac, hostkey = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        rekeys = int(sys.argv[6]) if len(sys.argv) > 6 else 0
        t = paramiko.Transport(socket.create_connection(("127.0.0.1", port)))
        opts = t.get_security_options()
        opts.kex = [kex]; opts.ciphers = [cipher]; opts.digests = [mac]; opts.key_types = [hostkey]
        t.start_client(timeout=20)
        key = t.get_remote_server_key()
        print("KEY", key.get_name(), key.get_base64())
        print("CIPHER", t.remote_cipher, t.local_cipher)
        print("MAC", t.remote_mac, t.local_mac)
        for _ in range(rekeys):
            t.renegotiate_keys()
        try:
            t.auth_none("tester")
        except Exception as e:
            print("AUTH", type(e).__name__)
        print("ACCEPTED", "userauth is OK" in log.getvalue())
        print("STRICT", "strict" in log.getvalue().lower())
        print("KEYS", log.getvalue().count("Switch to new keys"))
        t.close()
        """

    /// paramiko's server with a host key file; prints its port, serves until killed. User
    /// `tester` may log in with password `secret` or with the public key whose base64 is the
    /// second argument (optional).
    static let serverScript = """
        import base64, socket, sys, threading
        import paramiko
        key = paramiko.PKey.from_path(sys.argv[1]) if hasattr(paramiko.PKey, "from_path") else paramiko.Ed25519Key(filename=sys.argv[1])
        allowed = sys.argv[2] if len(sys.argv) > 2 else None
        class Server(paramiko.ServerInterface):
            def get_allowed_auths(self, username): return "publickey,password"
            def check_auth_password(self, username, password):
                ok = username == "tester" and password == "secret"
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED
            def check_auth_publickey(self, username, key):
                ok = username == "tester" and allowed is not None and key.get_base64() == allowed
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED
        listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(8)
        print(listener.getsockname()[1], flush=True)
        def serve(conn):
            t = paramiko.Transport(conn)
            t.add_server_key(key)
            try:
                t.start_server(server=Server())
                t.accept(20)
            except Exception:
                pass
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """
}
