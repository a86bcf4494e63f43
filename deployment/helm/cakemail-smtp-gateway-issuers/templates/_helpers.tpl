{{- define "issuers.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* The solvers: the OVH webhook's, or those given; one of the two is required. */}}
{{- define "issuers.solvers" -}}
{{- if .Values.ovh.enabled }}
{{- if not .Values.ovh.applicationKey }}
{{- fail "ovh.applicationKey is required (or set ovh.enabled=false and give solvers)" }}
{{- end }}
- dns01:
    webhook:
      groupName: {{ .Values.ovh.groupName }}
      solverName: {{ .Values.ovh.solverName }}
      config:
        endpoint: {{ .Values.ovh.endpoint }}
        applicationKey: {{ .Values.ovh.applicationKey }}
        applicationSecretRef:
          name: {{ .Values.ovh.credentials.secretName }}
          key: {{ .Values.ovh.credentials.applicationSecretKey }}
        consumerKeyRef:
          name: {{ .Values.ovh.credentials.secretName }}
          key: {{ .Values.ovh.credentials.consumerKeyKey }}
{{- else if .Values.solvers }}
{{- toYaml .Values.solvers }}
{{- else }}
{{- fail "solvers must name a DNS-01 solver when ovh.enabled is false: an SMTP host name cannot be proved by HTTP-01" }}
{{- end }}
{{- end }}
