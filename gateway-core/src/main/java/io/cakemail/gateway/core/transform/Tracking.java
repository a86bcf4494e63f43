package io.cakemail.gateway.core.transform;

/**
 * The {@code tracking} object of a submission; {@code null} fields are left to the API's default (on).
 */
public record Tracking(Boolean opens, Boolean clicksHtml, Boolean clicksText) {

    public static final Tracking UNSET = new Tracking(null, null, null);

    public boolean isUnset() {
        return opens == null && clicksHtml == null && clicksText == null;
    }

    /** This tracking with the non-null fields of {@code other} taking precedence. */
    Tracking overriddenBy(Tracking other) {
        return new Tracking(
                other.opens != null ? other.opens : opens,
                other.clicksHtml != null ? other.clicksHtml : clicksHtml,
                other.clicksText != null ? other.clicksText : clicksText);
    }
}
