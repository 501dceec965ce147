import Foundation
import SSHTestSupport
import Testing

/// Python paramiko as a transport peer, driven by small scripts.
enum PythonPeer {
    static var python: String? { Peers.executable("python3") }

    /// Starts `script` (one of the server scripts below) with the shared Ed25519 host key and
    /// `arguments` after it; the process prints the port it listens on.
    static func startServer(_ script: String, _ arguments: [String] = [], scratch: String) throws -> PeerProcess {
        let python = try #require(python)
        let hostKey = try OpenSSHServer.sharedHostKey("ed25519")
        return try PeerProcess(
            printingPort: [python, "-u", "-c", script, hostKey.path] + arguments,
            directory: try Peers.temporaryDirectory(scratch))
    }

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

    /// The start of a paramiko server script: the host key file of the first argument as `key`,
    /// and the password check (`tester`, `secret`) its `Server` classes share.
    static let serverPrelude = """
        import base64, hashlib, socket, sys, threading
        import paramiko
        key = paramiko.PKey.from_path(sys.argv[1]) if hasattr(paramiko.PKey, "from_path") else paramiko.Ed25519Key(filename=sys.argv[1])
        def password_result(username, password):
            ok = username == "tester" and password == "secret"
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        """

    /// The end of a paramiko server script: prints its port, then serves each connection with the
    /// script's `Server` until killed. It takes no channel with `accept`: paramiko closes a channel
    /// object once nothing holds it, so the `Server` handles its channels itself.
    static let serverLoop = """
        listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(8)
        print(listener.getsockname()[1], flush=True)
        def serve(conn):
            t = paramiko.Transport(conn)
            t.add_server_key(key)
            try:
                t.start_server(server=Server())
            except Exception:
                pass
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """

    /// paramiko's server with a host key file; prints its port, serves until killed. User
    /// `tester` may log in with password `secret` or with the public key whose base64 is the
    /// second argument (optional).
    static let serverScript = serverPrelude + """
        allowed = sys.argv[2] if len(sys.argv) > 2 else None
        class Server(paramiko.ServerInterface):
            def get_allowed_auths(self, username): return "publickey,password"
            def check_auth_password(self, username, password): return password_result(username, password)
            def check_auth_publickey(self, username, key):
                ok = username == "tester" and allowed is not None and key.get_base64() == allowed
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        """ + serverLoop

    /// paramiko's server with sessions: password `secret` for `tester`, and two exec commands.
    /// `sink` reads the channel to EOF and answers with the byte count and SHA-256 of what came;
    /// `source N` sends N bytes (0, 1, … 255 over and over). Both exit with status 0. paramiko
    /// gives its 2 MiB window back every tenth of it, so a sender meets small window steps.
    static let sessionServerScript = serverPrelude + """
        pattern = bytes(range(256)) * 128
        def sink(channel):
            digest, count = hashlib.sha256(), 0
            while True:
                data = channel.recv(65536)
                if not data: break
                digest.update(data); count += len(data)
            channel.sendall(("%d %s\\n" % (count, digest.hexdigest())).encode())
        def source(channel, count):
            while count > 0:
                piece = pattern[:count]
                channel.sendall(piece); count -= len(piece)
        def run(channel, command):
            try:
                if command == "sink": sink(channel)
                elif command.startswith("source "): source(channel, int(command.split()[1]))
                channel.send_exit_status(0)
            finally:
                channel.close()
        class Server(paramiko.ServerInterface):
            def get_allowed_auths(self, username): return "password"
            def check_auth_password(self, username, password): return password_result(username, password)
            def check_channel_request(self, kind, chanid):
                return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
            def check_channel_exec_request(self, channel, command):
                threading.Thread(target=run, args=(channel, command.decode()), daemon=True).start()
                return True

        """ + serverLoop
}
