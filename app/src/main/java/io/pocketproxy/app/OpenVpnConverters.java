package io.pocketproxy.app;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import io.pocketproxy.relay.openvpn.PoolNetwork;
import picocli.CommandLine;

/** How the OpenVPN options read their values: {@code auto|on|off}, {@code udp|tcp}, {@code 10.8.0.0/16}. */
final class OpenVpnConverters {

    private OpenVpnConverters() {}

    static final class Mode implements CommandLine.ITypeConverter<OpenVpnMode> {
        @Override
        public OpenVpnMode convert(String value) {
            try {
                return OpenVpnMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Protocol implements CommandLine.ITypeConverter<OpenVpnProtocol> {
        @Override
        public OpenVpnProtocol convert(String value) {
            try {
                return OpenVpnProtocol.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Network implements CommandLine.ITypeConverter<PoolNetwork> {
        @Override
        public PoolNetwork convert(String value) {
            try {
                return PoolNetwork.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
