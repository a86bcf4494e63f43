package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.TlsMode;

class ImplicitTlsClientsTest extends AbstractSmtpClientsTest {

    @Override
    TlsMode mode() {
        return TlsMode.IMPLICIT;
    }
}
