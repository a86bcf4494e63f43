package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailboxTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "Alice <alice@example.com>                               | alice@example.com | Alice",
                "\"Doe, John\" <john@example.com>, other@example.com     | john@example.com  | Doe, John",
                "john@example.com (John Doe)                             | john@example.com  | John Doe",
                "plain@example.com                                       | plain@example.com | null",
                "=?UTF-8?Q?Jos=C3=A9?= <jose@example.com>                | jose@example.com  | José",
                "\"Quote \\\" inside\" <q@example.com>                   | q@example.com     | Quote \" inside",
                "<bare@example.com>                                      | bare@example.com  | null",
                "''                                                      | null              | null",
            })
    void parsesTheFirstMailbox(String header, String address, String name) {
        Mailbox mailbox = Mailbox.parse(header.strip().equals("''") ? "" : header.strip());
        assertThat(mailbox.address()).isEqualTo(address);
        assertThat(mailbox.name()).isEqualTo(name);
    }

    /** Found by MessageTransformFuzzTest: an address holding control characters reached the sender lookup and logs. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Shop <shop\u0003\u0000@example.com>     | Shop",
                "Shop <shop @example.com>                 | Shop",
                "bad\u007faddress@example.com (Shop)      | Shop",
            })
    void anAddressWithControlCharactersOrSpacesIsNone(String header, String name) {
        Mailbox mailbox = Mailbox.parse(header.strip().translateEscapes());
        assertThat(mailbox.address()).isNull();
        assertThat(mailbox.name()).isEqualTo(name);
    }
}
