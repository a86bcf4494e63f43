package io.cakemail.gateway.common;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The settings of one configuration type, in the order they are documented, each bound to the setter of the type's
 * builder that takes its value. Making a value configurable is one row: the setting (its name, default, parser and
 * documentation line) and the setter; whoever reads the environment fills a builder from the table, and the help,
 * the start-up summary and the configuration page list the table.
 *
 * @param rows the rows, in order
 * @param <B> the builder the values go to
 */
public record SettingTable<B>(List<Row<B, ?>> rows) {

    public SettingTable {
        rows = List.copyOf(rows);
    }

    /** A table without rows, to add them to. */
    public static <B> SettingTable<B> of() {
        return new SettingTable<>(List.of());
    }

    /** This table and one more row: {@code setting}'s value goes to {@code setter}. */
    public <T> SettingTable<B> row(Setting<T> setting, BiConsumer<B, T> setter) {
        List<Row<B, ?>> more = new ArrayList<>(rows);
        more.add(new Row<>(setting, setter));
        return new SettingTable<>(more);
    }

    /**
     * This table and one more row whose value nothing here takes: read (so it is checked and summarized with the
     * others) for a part of the program that reads the variable itself, such as the logging configuration.
     */
    public SettingTable<B> checkedOnly(Setting<?> setting) {
        return row(setting, (builder, value) -> {});
    }

    /** The settings, in order. */
    public List<Setting<?>> settings() {
        return rows.stream().<Setting<?>>map(Row::setting).toList();
    }

    /**
     * A setting and the builder setter its value goes to.
     *
     * @param setting the setting
     * @param setter takes its value; an {@link IllegalArgumentException} it throws is the setting's problem
     * @param <B> the builder
     * @param <T> the value's type
     */
    public record Row<B, T>(Setting<T> setting, BiConsumer<B, T> setter) {
        public Row {
            requireNonNull(setting, "setting");
            requireNonNull(setter, "setter");
        }
    }
}
