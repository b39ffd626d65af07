{{/* fullnameOverride; else <name> (nameOverride or the chart name) when the release contains it, else
<release>-<name>; at most 63 characters. */}}
{{- define "dagu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dagu.fullname" -}}
{{- $name := include "dagu.name" . }}
{{- $full := .Values.fullnameOverride }}
{{- if not $full }}{{ $full = ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) }}{{ end }}
{{- $full | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dagu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dagu.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dagu.labels" -}}
{{ include "dagu.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "dagu.broken" -}}
{{- if has .what .root.Values.testing.break }}true{{ end }}
{{- end }}

{{/* Pool labels as sorted k=v pairs (reversed when labelOrder is broken). */}}
{{- define "dagu.workerLabels" -}}
{{- $pairs := list -}}
{{- range $k, $v := .labels }}{{ $pairs = append $pairs (printf "%s=%v" $k $v) }}{{ end -}}
{{- if .reverse }}{{ $pairs = reverse $pairs }}{{ end -}}
{{- join "," $pairs -}}
{{- end }}

{{/* The head of every Dagu Deployment: metadata, selector, pod labels, enableServiceLinks, security
context. Takes root, component, replicas and optional extra labels. */}}
{{- define "dagu.deploymentHead" -}}
{{- $root := .root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "dagu.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- range $k, $v := .extra }}
    {{ $k }}: {{ $v }}
    {{- end }}
spec:
  replicas: {{ .replicas }}
  selector:
    matchLabels:
      {{- include "dagu.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
      {{- range $k, $v := .extra }}
      {{ $k }}: {{ $v }}
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "dagu.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
        {{- if not (include "dagu.broken" (dict "root" $root "what" "poolLabel")) }}
        {{- range $k, $v := .extra }}
        {{ $k }}: {{ $v }}
        {{- end }}
        {{- end }}
    spec:
      {{- if not (include "dagu.broken" (dict "root" $root "what" "serviceLinks")) }}
      # Service links would inject variables that override Dagu's own configuration.
      enableServiceLinks: false
      {{- end }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{- define "dagu.extraEnv" -}}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dagu.configVolume" -}}
- name: config
  configMap:
    name: {{ include "dagu.fullname" . }}-config
{{- end }}

{{- define "dagu.mounts" -}}
volumeMounts:
  - name: data
    mountPath: /data
  - name: config
    mountPath: /etc/dagu
{{- end }}

{{- define "dagu.sharedVolumes" -}}
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {{ include "dagu.fullname" . }}-data
  {{- include "dagu.configVolume" . | nindent 2 }}
{{- end }}
