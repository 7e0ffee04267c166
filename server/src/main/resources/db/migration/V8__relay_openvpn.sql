-- Where a relay's OpenVPN endpoint is (README "Several relays"): every live node with one is a remote line in the
-- profiles. Null while the node runs no OpenVPN.
ALTER TABLE relays
    ADD COLUMN openvpn_address text CHECK (length(openvpn_address) <= 300),
    ADD COLUMN openvpn_proto   text CHECK (openvpn_proto IN ('udp', 'tcp')),
    -- OpenVpnPki.profileFingerprint: profiles list only the nodes that hold the server's keys
    ADD COLUMN openvpn_profile_fingerprint text CHECK (length(openvpn_profile_fingerprint) <= 100);
