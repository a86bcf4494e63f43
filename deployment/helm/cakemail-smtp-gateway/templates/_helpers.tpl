{{- define "gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image: by digest when one is given, else by tag (the chart's appVersion by default). */}}
{{- define "gateway.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* The Secret holding tls.crt and tls.key, or nothing when the gateway generates a self-signed pair. */}}
{{- define "gateway.tlsSecretName" -}}
{{- if .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else if .Values.tls.certificate.enabled }}
{{- printf "%s-tls" (include "gateway.fullname" .) }}
{{- end }}
{{- end }}

{{/* Seconds a stopping pod needs: the preStop sleep, the drain delay, the drain, and a message's API deadline. */}}
{{- define "gateway.minimumGracePeriod" -}}
{{- add .Values.preStopSleepSeconds .Values.gateway.drain.delaySeconds .Values.gateway.drain.timeoutSeconds .Values.gateway.apiDeadlineSeconds }}
{{- end }}

{{- define "gateway.terminationGracePeriod" -}}
{{- $minimum := include "gateway.minimumGracePeriod" . | int }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $minimum 10 }}
{{- else if lt (int .Values.terminationGracePeriodSeconds) $minimum }}
{{- fail (printf "terminationGracePeriodSeconds %d is shorter than the %d s a pod may need to stop: preStopSleepSeconds + gateway.drain.delaySeconds + gateway.drain.timeoutSeconds + gateway.apiDeadlineSeconds" (int .Values.terminationGracePeriodSeconds) $minimum) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{- define "gateway.validate" -}}
{{- $accepting := add .Values.preStopSleepSeconds .Values.gateway.drain.delaySeconds | int }}
{{- if lt $accepting (int .Values.service.smtp.deregistrationDelaySeconds) }}
{{- fail (printf "preStopSleepSeconds + gateway.drain.delaySeconds (%d s) must cover service.smtp.deregistrationDelaySeconds (%d s): the balancer still sends new connections that long, and a pod that stopped accepting would reset them" $accepting (int .Values.service.smtp.deregistrationDelaySeconds)) }}
{{- end }}
{{- if lt (int .Values.gateway.drain.timeoutSeconds) (int .Values.gateway.apiDeadlineSeconds) }}
{{- fail "gateway.drain.timeoutSeconds must be at least gateway.apiDeadlineSeconds: a message the API may still accept must get its reply" }}
{{- end }}
{{- if and .Values.gateway.proxyProtocol.enabled (not .Values.gateway.proxyProtocol.trustedCidrs) }}
{{- fail "gateway.proxyProtocol.trustedCidrs must name the load balancer's addresses when gateway.proxyProtocol.enabled is true" }}
{{- end }}
{{- if and .Values.tls.certificate.enabled (not .Values.tls.certificate.dnsNames) }}
{{- fail "tls.certificate.dnsNames must name the gateway's host names when tls.certificate.enabled is true" }}
{{- end }}
{{- end }}
