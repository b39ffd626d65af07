{{- define "dagu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dagu.fullname" -}}
{{- $name := include "dagu.name" . }}
{{- $full := .Values.fullnameOverride }}
{{- if not $full }}{{ $full = ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) }}{{ end }}
{{- $full | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <fullname>-<component>; a name over 63 characters is cut to 54 and given 8 hex digits of its hash. */}}
{{- define "dagu.component" -}}
{{- $full := printf "%s-%s" (include "dagu.fullname" .root) .component }}
{{- if gt (len $full) 63 }}{{ $full = printf "%s-%s" ($full | trunc 54 | trimSuffix "-") ($full | sha256sum | trunc 8) }}{{ end }}
{{- $full }}
{{- end }}

{{- define "dagu.distributed" -}}
{{- if eq .Values.deploymentMode "distributed" }}true{{ end }}
{{- end }}

{{- define "dagu.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "dagu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dagu.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dagu.labels" -}}
{{ include "dagu.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ include "dagu.tag" . | replace "+" "_" | trunc 63 | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "dagu.broken" -}}
{{- if has .what .root.Values.testing.break }}true{{ end }}
{{- end }}

{{- define "dagu.claim" -}}
{{- default (include "dagu.component" (dict "root" . "component" "data")) .Values.persistence.existingClaim }}
{{- end }}

{{- define "dagu.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "dagu.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "dagu.workerLabels" -}}
{{- $pairs := list -}}
{{- range $k, $v := .labels }}{{ $pairs = append $pairs (printf "%s=%v" $k $v) }}{{ end -}}
{{- if .reverse }}{{ $pairs = reverse $pairs }}{{ end -}}
{{- join "," $pairs -}}
{{- end }}

{{/* A Dagu Deployment up to its containers. Takes root, component, replicas, optional strategy and pool. */}}
{{- define "dagu.deploymentHead" -}}
{{- $root := .root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "dagu.component" (dict "root" $root "component" (ternary (printf "worker-%s" .pool) .component (not (empty .pool)))) }}
  labels:
    {{- include "dagu.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with .pool }}
    dagu.sh/worker-pool: {{ . }}
    {{- end }}
spec:
  replicas: {{ .replicas }}
  {{- with .strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "dagu.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
      {{- with .pool }}
      dagu.sh/worker-pool: {{ . }}
      {{- end }}
  template:
    metadata:
      labels:
        {{- include "dagu.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
        {{- if and .pool (not (include "dagu.broken" (dict "root" $root "what" "poolLabel"))) }}
        dagu.sh/worker-pool: {{ .pool }}
        {{- end }}
    spec:
      {{- if not (include "dagu.broken" (dict "root" $root "what" "serviceLinks")) }}
      # Service links would inject variables that override Dagu's own configuration.
      enableServiceLinks: false
      {{- end }}
      serviceAccountName: {{ include "dagu.serviceAccount" $root }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* The container's first lines: name, image, pull policy. */}}
{{- define "dagu.container" -}}
- name: {{ .name }}
  image: {{ printf "%s:%s" .root.Values.image.repository (include "dagu.tag" .root) | quote }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
{{- end }}

{{/* DAGU_HOME (changed when daguHome is broken and the component is the scheduler or the standalone UI). */}}
{{- define "dagu.home" -}}
- name: DAGU_HOME
  value: {{ ternary "/var/lib/dagu" "/data" (and (not (empty .target)) (eq "true" (include "dagu.broken" (dict "root" .root "what" "daguHome")))) }}
{{- end }}

{{- define "dagu.extraEnv" -}}
{{- with .Values.extraEnv }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{- define "dagu.mounts" -}}
volumeMounts:
  - name: data
    mountPath: /data
  - name: config
    mountPath: /etc/dagu
  {{- with .Values.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{- define "dagu.probes" -}}
livenessProbe:
  httpGet: {path: {{ .path }}, port: {{ .port }}}
  periodSeconds: 10
readinessProbe:
  httpGet: {path: {{ .path }}, port: {{ .port }}}
  periodSeconds: 5
{{- end }}

{{- define "dagu.configVolume" -}}
- name: config
  configMap:
    name: {{ include "dagu.component" (dict "root" . "component" "config") }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dagu.sharedVolumes" -}}
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {{ include "dagu.claim" . | quote }}
  {{- include "dagu.configVolume" . | nindent 2 }}
{{- end }}
