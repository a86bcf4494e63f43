package io.cakemail.gateway.server;

import io.cakemail.gateway.smtp.TlsMode;

class StartTlsClientsTest extends AbstractSmtpClientsTest {

    @Override
    TlsMode mode() {
        return TlsMode.STARTTLS;
    }
}
